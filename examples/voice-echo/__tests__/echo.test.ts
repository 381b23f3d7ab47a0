import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VoiceClient } from '@concord/voice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGateway } from '../../chat-server/__tests__/rawGateway.js';
import { type RunningServer, startServer } from '../../chat-server/__tests__/startServer.js';

const LOBBY = '1200000000000000000';
const VOICE = '1200000000000000002';
const root = fileURLToPath(new URL('..', import.meta.url));

describe('the voice echo example', () => {
  let server: RunningServer;
  let echo: ChildProcess;
  let echoOutput = '';

  beforeAll(async () => {
    server = await startServer();
    echo = spawn(process.execPath, ['echo.js'], {
      cwd: root,
      env: { ...process.env, CONCORD_API: server.api, BOT_TOKEN: 'echo-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    echo.stdout!.on('data', (c) => {
      echoOutput += c;
    });
    echo.stderr!.on('data', (c) => {
      echoOutput += c;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`echo bot did not join voice:\n${echoOutput}`)), 20_000);
      echo.stdout!.on('data', () => {
        if (echoOutput.includes('in voice at')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  });
  afterAll(async () => {
    if (echo && echo.exitCode === null) {
      await new Promise((resolve) => {
        echo.once('exit', resolve);
        echo.kill('SIGTERM');
      });
    }
    await server?.stop();
  });

  it('sends a speaker’s Opus frames back from the bot', async () => {
    const gw = await RawGateway.identify(server.port, 'singer');
    const ready = (await gw.waitFor('READY')).d;
    gw.ws.send(
      JSON.stringify({ op: 4, d: { guild_id: LOBBY, channel_id: VOICE, self_mute: false, self_deaf: false } }),
    );
    const state = (await gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === ready.user.id)).d;
    const vsu = (await gw.waitFor('VOICE_SERVER_UPDATE')).d;
    const singer = new VoiceClient({
      endpoint: vsu.endpoint,
      token: vsu.token,
      userId: ready.user.id,
      sessionId: state.session_id,
      guildId: LOBBY,
    });
    await singer.connect();
    const frame = Uint8Array.from([0xfc, 0xff, 0xfe, 1, 2, 3]);
    const echoed = new Promise<{ userId: string | null; opus: Uint8Array }>((resolve) =>
      singer.on('packet', (p) => {
        if (p.userId !== ready.user.id) resolve(p);
      }),
    );
    // UDP may drop a packet: keep talking until the echo comes back.
    const talking = setInterval(() => singer.sendOpus(frame), 20);
    try {
      const packet = await echoed;
      expect(Buffer.from(packet.opus)).toEqual(Buffer.from(frame));
      const me = (await (
        await fetch(`${server.api}/users/@me`, { headers: { Authorization: 'echo-test' } })
      ).json()) as {
        id: string;
      };
      expect(packet.userId).toBe(me.id);
    } finally {
      clearInterval(talking);
      singer.disconnect();
      gw.close();
    }
  });
});
