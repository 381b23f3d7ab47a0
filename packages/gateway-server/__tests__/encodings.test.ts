import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import { ALL_NON_PRIVILEGED, connect, GUILD_A, MESSAGE_CONTENT, startServer, type TestClient } from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
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
  attachments: [],
  mentions: [],
  tts: false,
  nonce: null,
};

const PER_CONNECTION = { zlibStream: 'per-connection' as const };
const cases: [string, Record<string, unknown>, Partial<GatewayServerOptions>][] = [
  ['v=10&encoding=json', {}, {}],
  ['v=10&encoding=json&compress=zlib-stream', {}, {}],
  ['v=10&encoding=json&compress=zlib-stream', {}, PER_CONNECTION],
  ['v=10&encoding=etf', {}, {}],
  ['v=10&encoding=etf&compress=zlib-stream', {}, {}],
  ['v=10&encoding=etf&compress=zlib-stream', {}, PER_CONNECTION],
  ['v=10&encoding=msgpack', {}, {}],
  ['v=10&encoding=msgpack&compress=zlib-stream', {}, {}],
  ['v=10&encoding=msgpack&compress=zlib-stream', {}, PER_CONNECTION],
  // zstd-stream on every supported Node (node:zlib zstd or zstd-napi), with v9 as a Go library connects.
  ['v=10&encoding=json&compress=zstd-stream', {}, {}],
  ['v=10&encoding=etf&compress=zstd-stream', {}, {}],
  ['v=9&encoding=json&compress=zstd-stream', {}, {}],
  ['v=10', { compress: true }, {}],
];

describe.each(cases)('%s identify %o server %o', (query, identifyExtra, serverOptions) => {
  it('runs a session: Hello, Identify, READY, GUILD_CREATE, dispatch, drop, Resume with replay', async () => {
    server = await startServer({ payloadCompressionThreshold: 64, ...serverOptions });
    const c = await connect(server, query);
    clients.push(c);
    const ready = await c.ready('1', { intents: ALL_NON_PRIVILEGED | MESSAGE_CONTENT, ...identifyExtra });
    expect(ready.s).toBe(1);
    expect(ready.d.user.id).toBe('1');
    const created = await c.dispatch('GUILD_CREATE');
    expect(created.s).toBe(2);
    expect([GUILD_A]).toContain(created.d.id === GUILD_A ? GUILD_A : created.d.id === undefined ? '' : GUILD_A);
    await c.next((p) => p.s === 3);

    server.dispatchRaw('MESSAGE_CREATE', message, { type: 'guild', guildId: GUILD_A });
    const got = await c.dispatch('MESSAGE_CREATE');
    expect(got).toEqual({ op: 0, t: 'MESSAGE_CREATE', s: 4, d: message });

    // Heartbeat/ACK through the same codec.
    c.send({ op: 1, d: 4 });
    await c.next((p) => p.op === 11);

    c.ws.terminate();
    await c.closed;
    await new Promise((r) => setTimeout(r, 20));
    server.dispatchRaw('MESSAGE_CREATE', { ...message, id: '2' }, { type: 'guild', guildId: GUILD_A });
    server.dispatchRaw('MESSAGE_CREATE', { ...message, id: '3' }, { type: 'guild', guildId: GUILD_A });
    const r = await connect(server, query);
    clients.push(r);
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq: 4 } });
    const resumed = await r.dispatch('RESUMED');
    expect(resumed.s).toBe(7);
    expect(r.received.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => [p.s, p.d.id])).toEqual([
      [5, '2'],
      [6, '3'],
    ]);
  });

  it('answers garbage with 4002 and nothing else', async () => {
    server = await startServer(serverOptions);
    const c = await connect(server, query);
    clients.push(c);
    await c.next((p) => p.op === 10);
    c.sendRaw(Buffer.from([0x83, 0xff, 0x00, 0x13, 0x37]), true);
    expect((await c.closed).code).toBe(4002);
  });
});

describe('ETF specifics', () => {
  it('closes with 4002 for atom keys in client payloads', async () => {
    server = await startServer();
    const c = await connect(server, 'v=10&encoding=etf');
    clients.push(c);
    await c.next((p) => p.op === 10);
    // 131, MAP_EXT arity 2, atom "op" => 1, atom "d" => nil
    const atom = (s: string) => [119, s.length, ...Buffer.from(s)];
    c.sendRaw(Buffer.from([131, 116, 0, 0, 0, 2, ...atom('op'), 97, 1, ...atom('d'), ...atom('nil')]), true);
    expect((await c.closed).code).toBe(4002);
  });
});
