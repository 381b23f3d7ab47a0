// DAVE (end-to-end encrypted voice, protocol version 1) between two unmodified libraries through the example chat
// server: discord.py 2.7 (with the `davey` package) plays a 440 Hz tone, @discordjs/voice 0.19 (with @snazzah/davey)
// receives it, decrypts it with the group's media key and decodes the tone. Both report that they negotiated version
// 1 and reached an MLS epoch > 0 in a group holding both of them; the receiver's decryption counts show the frames
// came end-to-end encrypted (not passed through).

import { createOpusCodec } from '@concord/voice';
import {
  type DiscordGatewayAdapterCreator,
  EndBehaviorType,
  entersState,
  joinVoiceChannel,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import { afterEach, describe, expect, it } from 'vitest';
import { RawGateway } from '../../examples/chat-server/__tests__/rawGateway.js';
import { type RunningServer, startServer } from '../../examples/chat-server/__tests__/startServer.js';
import { GENERAL_VOICE_ID, LOBBY_ID } from '../../examples/chat-server/src/createChatServer.js';
import { discordPyDir, discordPyPython } from '../harness/discordpy.js';
import { interopEnv } from '../harness/interopEnv.js';
import { runBot } from '../harness/runBot.js';
import { type SelfSignedCert, selfSignedCert } from '../harness/selfSignedCert.js';
import { requireArtefact } from '../harness/toolchain.js';

const installed = requireArtefact('discord.py', discordPyPython);

interface DaveView {
  protocolVersion: number;
  session?: {
    ready: boolean;
    epoch: bigint | null;
    getUserIds(): string[];
    getDecryptionStats(userId: string): { successes: number; failures: number; passthroughs: number } | null;
  };
}

/** @discordjs/voice's DAVE session of a connection (read only). */
function daveOf(connection: VoiceConnection): DaveView | undefined {
  const networking = (connection.state as { networking?: { state: { dave?: DaveView } } }).networking;
  return networking?.state.dave;
}

/** A @discordjs/voice connection joined through the chat server's main gateway (a raw gateway session as adapter). */
async function joinWithDiscordJs(gw: RawGateway, userId: string): Promise<VoiceConnection> {
  const adapter: DiscordGatewayAdapterCreator = (methods) => {
    const onMessage = (raw: Buffer) => {
      const p = JSON.parse(String(raw));
      if (p.op !== 0) return;
      if (p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === userId) methods.onVoiceStateUpdate(p.d);
      if (p.t === 'VOICE_SERVER_UPDATE') methods.onVoiceServerUpdate(p.d);
    };
    gw.ws.on('message', onMessage);
    return {
      sendPayload: (payload) => {
        gw.ws.send(JSON.stringify(payload));
        return true;
      },
      destroy: () => gw.ws.off('message', onMessage),
    };
  };
  const connection = joinVoiceChannel({
    guildId: LOBBY_ID,
    channelId: GENERAL_VOICE_ID,
    selfDeaf: false,
    selfMute: true,
    adapterCreator: adapter,
  });
  await entersState(connection, VoiceConnectionStatus.Ready, 15_000);
  return connection;
}

describe.skipIf(!installed)('DAVE: discord.py → @discordjs/voice', () => {
  let server: RunningServer | undefined;
  let tls: SelfSignedCert | undefined;
  let gw: RawGateway | undefined;
  let connection: VoiceConnection | undefined;
  const previousRejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  afterEach(async () => {
    connection?.destroy();
    gw?.close();
    await server?.stop();
    tls?.remove();
    if (previousRejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousRejectUnauthorized;
  });

  it('discord.py plays a tone end-to-end encrypted; @discordjs/voice decrypts and hears 440 Hz', async () => {
    tls = selfSignedCert();
    server = await startServer({ VOICE_TLS_CERT: tls.certFile, VOICE_TLS_KEY: tls.keyFile });
    // @discordjs/voice dials wss:// with Node's default TLS settings and offers no CA option (this worker only).
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    gw = await RawGateway.identify(server.port, 'interop-dave-listener');
    const me = (await gw.waitFor('READY')).d.user.id as string;
    connection = await joinWithDiscordJs(gw, me);
    expect(daveOf(connection)?.protocolVersion).toBe(1);

    // Decrypted Opus from whoever else speaks, decoded to PCM (left channel).
    const samples: number[] = [];
    let frames = 0;
    let speaker: string | null = null;
    const codec = createOpusCodec();
    connection.receiver.speaking.on('start', (userId) => {
      if (speaker !== null || userId === me) return;
      speaker = userId;
      connection!.receiver
        .subscribe(userId, { end: { behavior: EndBehaviorType.Manual } })
        .on('data', (opus: Buffer) => {
          if (opus.length <= 3) return; // silence frames
          try {
            const pcm = codec.decode(opus);
            frames++;
            for (let i = 0; i < pcm.length; i += 4) samples.push(pcm.readInt16LE(i) / 32768);
          } catch {}
        });
    });

    // The listener's group while the bot is in it (it is dropped, sole member reset, once the bot leaves).
    let during: { epoch: number; users: string[]; successes: number; passthroughs: number } | null = null;
    const sampler = setInterval(() => {
      const session = daveOf(connection!)?.session;
      if (!session?.ready || speaker === null) return;
      const users = session.getUserIds();
      const stats = session.getDecryptionStats(speaker);
      if (users.length === 2 && stats)
        during = { epoch: Number(session.epoch), users, successes: stats.successes, passthroughs: stats.passthroughs };
    }, 50);
    const run = await runBot({
      command: discordPyPython,
      args: ['dave_voice_bot.py'],
      cwd: discordPyDir,
      env: { ...interopEnv(server, 'discord.py'), TONE_SECONDS: '3', SSL_CERT_FILE: tls.certFile },
      timeoutMs: 60_000,
    });
    clearInterval(sampler);
    const context = `${run.headline()}\n\nbot output:\n${run.output.slice(-6000)}\n\nserver output (tail):\n${server.output().slice(-3000)}`;
    expect(run.find('error')?.data, context).toBeUndefined();
    expect(run.code, context).toBe(0);
    const botId = String(run.find('ready')!.data.id);

    // discord.py's side: it offered DAVE, was described version 1, and reached an epoch of a group with both users.
    expect(run.find('voice-connected')?.data.max_dave, context).toBe(1);
    const dave = run.find('dave')!.data;
    expect(dave.protocol_version, context).toBe(1);
    expect(dave.epoch, context).toBeGreaterThan(0);
    expect(dave.user_ids, context).toEqual([botId, me].sort());
    expect(run.find('played')!.data.encrypted, context).toBeGreaterThan(100);

    // @discordjs/voice's side: version 1, same group, and the tone's frames were decrypted (not passed through).
    expect(speaker).toBe(botId);
    const seen = during as { epoch: number; users: string[]; successes: number; passthroughs: number } | null;
    expect(seen, context).not.toBeNull();
    expect(seen!.epoch).toBeGreaterThan(0);
    expect(seen!.users.sort()).toEqual([botId, me].sort());
    expect(seen!.successes, JSON.stringify(seen)).toBeGreaterThan(100);
    // The bot left: the listener, alone, was told to start a new group (sole member reset) and is still on version 1.
    await new Promise((r) => setTimeout(r, 200));
    expect(daveOf(connection)!.protocolVersion).toBe(1);
    expect(daveOf(connection)!.session!.ready).toBe(false);

    // And it is the tone: 3 s is 150 frames; zero crossings of the decoded audio give its frequency.
    expect(frames, context).toBeGreaterThan(100);
    let crossings = 0;
    let energy = 0;
    for (let i = 0; i < samples.length; i++) {
      energy += samples[i]! ** 2;
      if (i > 0 && samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
    }
    const hz = crossings / 2 / (samples.length / 48_000);
    expect(hz).toBeGreaterThan(400);
    expect(hz).toBeLessThan(480);
    expect(Math.sqrt(energy / samples.length)).toBeGreaterThan(0.1);
    codec.delete();
  });
});
