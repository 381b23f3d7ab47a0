// Issue #13 cause 1: every ETF frame the gateway writes must decode with erlpack (Discord's own ETF codec, the one Eris
// uses when installed), which reads atoms only as ATOM_EXT (100) and SMALL_ATOM_EXT (115). Frames are read raw here
// (not through our own decoder, which is more liberal) and every one is unpacked by erlpack.
import { createRequire } from 'node:module';
import { createZlibStreamInflater, createZstdStreamInflater, type StreamInflater } from '@concord/protocol/compression';
import { decodeEtf } from '@concord/protocol/etf';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import { ALL_NON_PRIVILEGED, GUILD_A, MESSAGE_CONTENT, startServer } from './helpers.js';

const require = createRequire(import.meta.url);
const erlpack = require('erlpack') as { pack(value: unknown): Buffer; unpack(data: Uint8Array): unknown };

// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
type Any = any;

let server: GatewayServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
});

const message = {
  id: '1234567890123456789',
  channel_id: `${GUILD_A}1`,
  guild_id: GUILD_A,
  author: { id: '3', username: 'user3', bot: false },
  content: 'héllo ✓ 👋',
  embeds: [],
  tts: false,
  nonce: null,
};

/** Atom tags found anywhere in a term (walks the term structure; strings' bytes are skipped). */
function atomTags(data: Uint8Array): Set<number> {
  const tags = new Set<number>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 1;
  const term = (): void => {
    const tag = data[at++]!;
    switch (tag) {
      case 97:
        at += 1;
        return;
      case 98:
        at += 4;
        return;
      case 70:
        at += 8;
        return;
      case 100:
      case 118:
        tags.add(tag);
        at += 2 + view.getUint16(at);
        return;
      case 115:
      case 119:
        tags.add(tag);
        at += 1 + data[at]!;
        return;
      case 106:
        return;
      case 107:
        at += 2 + view.getUint16(at);
        return;
      case 109:
        at += 4 + view.getUint32(at);
        return;
      case 110:
        at += 2 + data[at]!;
        return;
      case 108: {
        const n = view.getUint32(at);
        at += 4;
        for (let i = 0; i <= n; i++) term();
        return;
      }
      case 116: {
        const n = view.getUint32(at);
        at += 4;
        for (let i = 0; i < 2 * n; i++) term();
        return;
      }
      default:
        throw new Error(`unexpected tag ${tag}`);
    }
  };
  term();
  return tags;
}

const cases: [string, Partial<GatewayServerOptions>][] = [
  ['v=10&encoding=etf', {}],
  ['v=10&encoding=etf&compress=zlib-stream', {}],
  ['v=10&encoding=etf&compress=zlib-stream', { zlibStream: 'per-connection' }],
  ['v=10&encoding=etf&compress=zstd-stream', {}],
];

describe.each(cases)('erlpack reads every frame of %s (server %o)', (query, options) => {
  it('HELLO, READY, GUILD_CREATE, MESSAGE_CREATE, HEARTBEAT_ACK decode with erlpack as with our decoder', async () => {
    server = await startServer({ payloadCompressionThreshold: 64, ...options });
    const ws = new WebSocket(`${server.url}/?${query}`);
    sockets.push(ws);
    const inflater: StreamInflater | null = query.includes('zlib-stream')
      ? createZlibStreamInflater()
      : query.includes('zstd-stream')
        ? createZstdStreamInflater()
        : null;
    const frames: Uint8Array[] = [];
    const decoded: Any[] = [];
    const waiters: { test: (p: Any) => boolean; resolve: (p: Any) => void; reject: (e: unknown) => void }[] = [];
    let failure: unknown;
    ws.on('message', (data: Buffer) => {
      const bytes = inflater ? inflater.push(data) : data;
      if (bytes === null) return;
      const frame = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      frames.push(frame);
      let payload: Any;
      try {
        // erlpack throws "Unsupported erlang term type identifier" on a tag it does not read.
        payload = erlpack.unpack(Buffer.from(frame));
      } catch (error) {
        failure ??= error;
        for (const w of waiters.splice(0)) w.reject(error);
        return;
      }
      decoded.push(payload);
      for (const w of waiters.splice(0)) {
        if (w.test(payload)) w.resolve(payload);
        else waiters.push(w);
      }
    });
    ws.on('error', () => undefined);
    const next = (test: (p: Any) => boolean) =>
      new Promise<Any>((resolve, reject) => {
        const found = decoded.find(test);
        if (failure !== undefined) reject(failure);
        else if (found) resolve(found);
        else waiters.push({ test, resolve, reject });
      });
    await next((p) => p.op === 10);
    // Eris packs its payloads with erlpack too: BINARY keys and strings, small integers.
    ws.send(
      erlpack.pack({
        op: 2,
        d: {
          token: 'Bot token-1',
          properties: { os: 'linux', browser: 'eris', device: 'eris' },
          intents: ALL_NON_PRIVILEGED | MESSAGE_CONTENT,
        },
      }),
    );
    const ready = await next((p) => p.t === 'READY');
    expect(ready).toMatchObject({ op: 0, s: 1, d: { user: { id: '1' }, v: 10 } });
    const created = await next((p) => p.t === 'GUILD_CREATE');
    expect(created.s).toBe(2);
    server.dispatchRaw('MESSAGE_CREATE', message, { type: 'guild', guildId: GUILD_A });
    const got = await next((p) => p.t === 'MESSAGE_CREATE');
    expect(got).toMatchObject({ op: 0, t: 'MESSAGE_CREATE', d: message });
    ws.send(erlpack.pack({ op: 1, d: got.s }));
    await next((p) => p.op === 11);

    expect(frames.length).toBeGreaterThanOrEqual(5);
    for (const [i, frame] of frames.entries()) {
      // Same value through both decoders, and no atom tag erlpack cannot read.
      expect(decoded[i]).toEqual(decodeEtf(frame));
      for (const tag of atomTags(frame)) expect([100, 115]).toContain(tag);
    }
  });
});
