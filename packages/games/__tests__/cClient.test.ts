// Issue #20, engine reach: the C example client (examples/c-client) joins a party's text and voice through the engine
// contract (docs/ENGINE-CONTRACT.md) next to a TypeScript player, and each hears and reads the other.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createOpusCodec, ENCRYPTION_MODES } from '@concord/voice';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goertzel } from '../../voice/__tests__/helpers.js';
import { MatchPlayer, startMatchStack } from './matchHarness.js';

// biome-ignore lint/suspicious/noExplicitAny: the demo's JSON lines, read field by field by the assertions.
type Json = any;

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/c-client');
const HOW = 'apt-get install -y cmake gcc pkg-config libopus-dev libsodium-dev libcjson-dev (.ci/services/cclient.sh)';

/** cmake, a C compiler and the three libraries: skip locally when missing, fail under CI=true. */
function toolchainMissing(): string | null {
  try {
    execFileSync('cmake', ['--version'], { stdio: 'ignore' });
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    execFileSync('pkg-config', ['--exists', 'opus', 'libsodium', 'libcjson'], { stdio: 'ignore' });
    return null;
  } catch (error) {
    return String((error as Error).message).split('\n')[0] ?? 'unknown';
  }
}
const missing = toolchainMissing();
if (missing && process.env.CI === 'true') throw new Error(`the C client's toolchain is required: ${missing}; ${HOW}`);
if (missing) console.warn(`C toolchain or libraries missing (${missing}): the C client test skipped; ${HOW}`);

/** `frames` 20 ms frames of a stereo 48 kHz tone, s16le. */
function toneFrames(frequency: number, frames: number): Buffer[] {
  const out: Buffer[] = [];
  for (let f = 0, n = 0; f < frames; f++) {
    const frame = Buffer.alloc(960 * 4);
    for (let i = 0; i < 960; i++, n++) {
      const v = Math.round(0.4 * 32767 * Math.sin((2 * Math.PI * frequency * n) / 48_000));
      frame.writeInt16LE(v, i * 4);
      frame.writeInt16LE(v, i * 4 + 2);
    }
    out.push(frame);
  }
  return out;
}

/** Runs a built program; its JSON lines as they come, and its exit. */
function run(program: string, args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Json[] = [];
  const listeners = new Set<(line: Json) => void>();
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text);
    lines.push(line);
    for (const l of listeners) l(line);
  });
  // 'close', not 'exit': it comes after stdout has been read to its end, so every line is in `lines`.
  const exited = new Promise<number>((resolveExit) => child.once('close', (code) => resolveExit(code ?? -1)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    /** The first line of `event`, now or when it comes. */
    line(event: string): Promise<Json> {
      const found = lines.find((l) => l.event === event);
      if (found) return Promise.resolve(found);
      return new Promise((resolveLine, reject) => {
        const listener = (l: Json) => {
          if (l.event === 'error') reject(new Error(`C client: ${JSON.stringify(l)} ${stderr}`));
          if (l.event !== event) return;
          listeners.delete(listener);
          resolveLine(l);
        };
        listeners.add(listener);
        void exited.then((code) => reject(new Error(`C client exited ${code} before ${event}: ${stderr}`)));
      });
    },
  };
}

/**
 * A server that completes the WebSocket handshake as RFC 6455 says and writes `bytes` right behind it: what a hostile or broken
 * gateway could send the client.
 */
async function hostileGateway(bytes: Buffer): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += String(chunk);
      if (!head.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      // One write: the frame arrives with the handshake's answer, as a fast server's Hello does.
      const answer = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(answer), bytes]));
      head = '';
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An unmasked server text frame. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const head =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

describe.skipIf(missing !== null)('the C example client (examples/c-client)', () => {
  let build = '';
  beforeAll(() => {
    build = mkdtempSync(join(tmpdir(), 'concord-c-client-'));
    // ASan and UBSan watch the decoders under the fuzz driver and the whole session under the match below.
    execFileSync('cmake', ['-S', SOURCE, '-B', build, '-DCONCORD_SANITIZE=ON'], { stdio: 'pipe' });
    execFileSync('cmake', ['--build', build, '-j', '2'], { stdio: 'pipe' });
  }, 120_000);
  afterAll(() => {
    if (build) rmSync(build, { recursive: true, force: true });
  });

  let stack: Awaited<ReturnType<typeof startMatchStack>> | null = null;
  let child: ChildProcess | null = null;
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = null;
    await stack?.close();
    stack = null;
  });

  it.each([
    ['a frame announcing 1 TiB', Buffer.from([0x82, 127, 0, 0, 1, 0, 0, 0, 0, 0]), 'too_large'],
    ['a masked server frame', Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0]), 'protocol'],
    ['a Hello nested 100 deep', textFrame(`{"op":10,"d":${'['.repeat(100)}${']'.repeat(100)}}`), 'protocol'],
    ['a fragmented ping', Buffer.from([0x09, 0]), 'protocol'],
  ])('stops with an error line and exit 1 on %s from the gateway', async (_, bytes, status) => {
    const { server, url } = await hostileGateway(bytes);
    try {
      const c = run(join(build, 'party_client'), [url, 'token', '1'], { CONCORD_TIMEOUT_MS: '5000' });
      child = c.child;
      expect(await c.exited).toBe(1);
      expect(c.lines.at(-1)).toMatchObject({ event: 'error', status });
    } finally {
      server.close();
    }
  });

  it('reports a refused player token (gateway close 4004) as an auth error', async () => {
    stack = await startMatchStack();
    const c = run(join(build, 'party_client'), [stack.url, 'not-a-token', '1']);
    child = c.child;
    expect(await c.exited).toBe(1);
    expect(c.lines.at(-1)).toMatchObject({ event: 'error', status: 'auth' });
  });

  it('goes on without voice when the game disconnects it from voice (4014), and still reads the party', async () => {
    stack = await startMatchStack();
    const { host, url } = stack;
    const ada = (await host.createPlayer({ id: '1300000000000000210', username: 'ada' })).id;
    const cee = (await host.createPlayer({ id: '1300000000000000211', username: 'cee' })).id;
    const pa = new MatchPlayer(url, ada, host.issueToken(ada));
    stack.players.push(pa);
    await pa.identify();
    const party = await host.createParty({ leaderId: ada, joinMode: 'invite' });
    const c = run(join(build, 'party_client'), [url, host.issueToken(cee), party.id], {
      CONCORD_JOIN_TOKEN: party.createJoinToken({ userId: cee }),
      CONCORD_EXPECT_MESSAGES: '1',
      CONCORD_SECONDS: '30',
    });
    child = c.child;
    await c.line('message_sent');
    const kicked = await stack.call('PATCH', `/games/v1/players/${cee}/voice`, { channelId: null, reason: 'afk' });
    expect(kicked.status).toBeLessThan(300);
    expect(await c.line('voice_closed')).toEqual({ event: 'voice_closed', code: 4014 });
    const posted = await stack.call(
      'POST',
      `/api/v10/channels/${party.id}/messages`,
      { content: 'still here?' },
      `Bearer ${host.issueToken(ada)}`,
    );
    expect(posted.status).toBe(200);
    expect(await c.exited, c.stderr()).toBe(0);
    expect(c.lines.find((l) => l.event === 'message_create' && !l.own)).toMatchObject({ content: 'still here?' });
    expect(c.lines.at(-1)).toEqual({ event: 'done' });
  });

  it('reports its own position (trusted mode, op 1001) in a channel the game made client-positioned', async () => {
    stack = await startMatchStack();
    const { host, url, voice } = stack;
    const ada = (await host.createPlayer({ id: '1300000000000000220', username: 'ada' })).id;
    const cee = (await host.createPlayer({ id: '1300000000000000221', username: 'cee' })).id;
    const party = await host.createParty({ leaderId: ada, joinMode: 'invite' });
    const positional = await stack.call('PUT', `/games/v1/voice/channels/${party.id}/positional`, {
      range: 50,
      positionSource: 'client',
    });
    expect(positional.status).toBe(204);
    const c = run(join(build, 'party_client'), [url, host.issueToken(cee), party.id], {
      CONCORD_JOIN_TOKEN: party.createJoinToken({ userId: cee }),
      CONCORD_SECONDS: '1',
      CONCORD_POSITION: '12.5,-3,0,1.57',
    });
    child = c.child;
    await c.line('message_sent');
    const positionOf = () =>
      [...(voice.room(host.guildId, party.id)?.members ?? [])].find((m) => m.userId === cee)?.media.position ?? null;
    await new Promise<void>((resolvePosition, reject) => {
      const timer = setInterval(() => {
        if (!positionOf()) return;
        clearInterval(timer);
        resolvePosition();
      }, 10);
      void c.exited.then(() => {
        clearInterval(timer);
        if (!positionOf()) reject(new Error(`no position before the C client exited: ${c.stderr()}`));
      });
    });
    expect(positionOf()).toMatchObject({ x: 12.5, y: -3 });
    expect(await c.exited, c.stderr()).toBe(0);
  });

  it('survives hostile bytes in every decoder (frames, handshake, HTTP, JSON, IP discovery, RTP, URLs)', async () => {
    const fuzz = run(join(build, 'fuzz_decoders'), ['20000', '7']);
    child = fuzz.child;
    expect(await fuzz.exited, fuzz.stderr()).toBe(0);
    expect(fuzz.lines).toEqual([{ event: 'fuzz', iterations: 20000, failures: 0 }]);
  });

  // The contract's mode (what the C client picks on a CPU with AES-NI), then the portable one, forced.
  it.each([
    ['the default mode', undefined],
    ['XChaCha20-Poly1305', 'aead_xchacha20_poly1305_rtpsize'],
  ])(
    'joins a party with a join token, talks and listens in its voice, reads and posts in its text (%s)',
    async (_, mode) => {
      stack = await startMatchStack();
      const { host, url } = stack;
      const ada = (await host.createPlayer({ id: '1300000000000000200', username: 'ada' })).id;
      const cee = (await host.createPlayer({ id: '1300000000000000201', username: 'cee' })).id;
      const pa = new MatchPlayer(url, ada, host.issueToken(ada));
      stack.players.push(pa);
      await pa.identify();
      const party = await host.createParty({ leaderId: ada, joinMode: 'invite' });
      await pa.joinVoice(host.guildId, party.id);
      const packets = new Map<number, Buffer[]>();
      pa.voice!.on('packet', (p) => {
        const list = packets.get(p.ssrc) ?? [];
        list.push(Buffer.from(p.opus));
        packets.set(p.ssrc, list);
      });

      const c = run(join(build, 'party_client'), [url, host.issueToken(cee), party.id], {
        CONCORD_JOIN_TOKEN: party.createJoinToken({ userId: cee }),
        CONCORD_EXPECT_MESSAGES: '1',
        CONCORD_SECONDS: '2',
        CONCORD_TONE_HZ: '660',
        CONCORD_MESSAGE: 'hello from C',
        ...(mode ? { CONCORD_MODE: mode } : {}),
      });
      child = c.child;
      const ready = await c.line('voice_ready');
      expect(ENCRYPTION_MODES).toContain(ready.mode);
      if (mode) expect(ready.mode).toBe(mode);
      // The C client's voice state in the party, as every member's client sees it.
      await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === cee && d.channel_id === party.id);
      expect(party.members).toContain(cee);

      // Ada talks for a second, then writes: the C client waits for her message before it leaves, so it has heard her.
      for (const frame of toneFrames(440, 50)) {
        pa.voice!.sendPcm(frame);
        await new Promise((r) => setTimeout(r, 20));
      }
      pa.voice!.pause();
      const posted = await stack.call(
        'POST',
        `/api/v10/channels/${party.id}/messages`,
        { content: 'hello from TS' },
        `Bearer ${host.issueToken(ada)}`,
      );
      expect(posted.status).toBe(200);

      expect(await c.exited, c.stderr()).toBe(0);
      const lines = c.lines;
      expect(lines.find((l) => l.event === 'ready')).toMatchObject({ user_id: cee, username: 'cee' });
      expect(lines.some((l) => l.event === 'party_joined')).toBe(true);
      expect(lines.find((l) => l.event === 'message_create' && !l.own)).toMatchObject({
        channel_id: party.id,
        author_id: ada,
        content: 'hello from TS',
      });
      // What the C client decoded from Ada: her 440 Hz tone, per speaker, named by the voice server's op 5.
      const heard = lines.find((l) => l.event === 'audio' && l.user_id === ada);
      expect(heard, JSON.stringify(lines)).toBeDefined();
      expect(heard.packets).toBeGreaterThanOrEqual(40);
      expect(heard.rms).toBeGreaterThan(0.1);
      expect(Math.abs(heard.frequency - 440)).toBeLessThan(5);
      expect(lines.at(-1)).toEqual({ event: 'done' });

      // The C client's message reached Ada over the gateway; its tone reached her voice client.
      const sent = lines.find((l) => l.event === 'message_sent');
      const message = await pa.waitFor('MESSAGE_CREATE', (d) => d.id === sent.id);
      expect(message.d).toMatchObject({ channel_id: party.id, content: 'hello from C', author: { id: cee } });
      const fromC = packets.get(ready.ssrc) ?? [];
      expect(fromC.length).toBeGreaterThanOrEqual(80);
      const decoder = createOpusCodec();
      const pcm = Buffer.concat(fromC.slice(5, 80).map((p) => decoder.decode(p)));
      decoder.delete();
      const tone = goertzel(pcm, 660);
      for (const other of [220, 440, 550, 880, 1000, 2000]) expect(tone).toBeGreaterThan(20 * goertzel(pcm, other));
      // It left voice before exiting.
      await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === cee && d.channel_id === null);
    },
  );
});
