import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_MEMBERS,
  MESSAGE_CONTENT,
  startServer,
  type TestClient,
} from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(options: Partial<GatewayServerOptions> = {}, query?: string): Promise<TestClient> {
  server ??= await startServer(options);
  const c = await connect(server, query);
  clients.push(c);
  await c.next((p) => p.op === 10);
  return c;
}

const identify = (extra: Record<string, unknown> = {}) => ({
  op: 2,
  d: { token: 'token-1', properties: {}, intents: ALL_NON_PRIVILEGED, ...extra },
});

describe('close codes', () => {
  it('4001 for an unknown opcode', async () => {
    const c = await client();
    c.send({ op: 99, d: null });
    expect((await c.closed).code).toBe(4001);
  });

  it('4001 for a server-only opcode sent by the client', async () => {
    const c = await client();
    c.send({ op: 11, d: null });
    expect((await c.closed).code).toBe(4001);
  });

  it('4002 for a payload that does not decode', async () => {
    const c = await client();
    c.sendRaw('{"op": 1, ');
    expect((await c.closed).code).toBe(4002);
  });

  it('4002 for a payload without an op', async () => {
    const c = await client();
    c.sendRaw('[1,2,3]');
    expect((await c.closed).code).toBe(4002);
  });

  it('4002 for a client payload over 4096 bytes', async () => {
    const c = await client();
    c.send({ op: 1, d: null, pad: 'x'.repeat(4096) });
    expect((await c.closed).code).toBe(4002);
  });

  it('accepts a payload of exactly 4096 bytes', async () => {
    const c = await client();
    const base = JSON.stringify({ op: 1, d: null, pad: '' });
    c.sendRaw(JSON.stringify({ op: 1, d: null, pad: 'x'.repeat(4096 - base.length) }));
    expect((await c.next((p) => p.op === 11)).op).toBe(11);
  });

  it('4003 for a command before Identify', async () => {
    const c = await client();
    c.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } });
    expect((await c.closed).code).toBe(4003);
  });

  it('4004 for a bad token', async () => {
    const c = await client();
    c.send(identify({ token: 'nope' }));
    expect((await c.closed).code).toBe(4004);
  });

  it('4005 for a second Identify', async () => {
    const c = await client();
    c.send(identify());
    await c.dispatch('READY');
    c.send(identify());
    expect((await c.closed).code).toBe(4005);
  });

  it('4005 for a Resume on an identified connection', async () => {
    const c = await client();
    c.send(identify());
    const ready = await c.dispatch('READY');
    c.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq: 1 } });
    expect((await c.closed).code).toBe(4005);
  });

  it('4008 past the command rate limit (heartbeats count)', async () => {
    const c = await client({ rateLimit: { commands: 5, windowMs: 60_000 } });
    for (let i = 0; i < 6; i++) c.send({ op: 1, d: null });
    expect((await c.closed).code).toBe(4008);
    expect(c.received.filter((p) => p.op === 11)).toHaveLength(5);
  });

  it('4009 when the client goes silent for 1.5 intervals, after asking for a heartbeat (op 1)', async () => {
    // op 1 after 1.25 × 150 ms of silence, 4009 after 3 × 150 ms: a wide window even on a loaded machine.
    const c = await client({ heartbeatInterval: 150, heartbeatTimeoutFactor: 3 });
    c.send(identify());
    await c.dispatch('READY');
    const request = await c.next((p) => p.op === 1);
    expect(request).toMatchObject({ op: 1, s: null, t: null });
    expect((await c.closed).code).toBe(4009);
  });

  it('keeps a connection that heartbeats', async () => {
    // Interval 400 ms → closed only after 600 ms of silence; we heartbeat every 50 ms for 900 ms.
    const c = await client({ heartbeatInterval: 400 });
    const timer = setInterval(() => c.send({ op: 1, d: null }), 50);
    try {
      await new Promise((r) => setTimeout(r, 900));
      expect(c.ws.readyState).toBe(c.ws.OPEN);
    } finally {
      clearInterval(timer);
    }
  });

  it('4009 when no Identify arrives within the identify timeout', async () => {
    const c = await client({ identifyTimeout: 150 });
    const timer = setInterval(() => c.send({ op: 1, d: null }), 40);
    try {
      expect((await c.closed).code).toBe(4009);
    } finally {
      clearInterval(timer);
    }
  });

  it('4010 for an invalid shard', async () => {
    for (const shard of [[2, 2], [-1, 2], [0, 0], 'x', [0]]) {
      const c = await client();
      c.send(identify({ shard }));
      expect((await c.closed).code).toBe(4010);
    }
  });

  it('4011 when the user must shard', async () => {
    const c = await client({ authenticate: () => ({ user: { id: '1', username: 'big' }, minShards: 2 }) });
    c.send(identify());
    expect((await c.closed).code).toBe(4011);
  });

  it('4012 for an unsupported API version', async () => {
    server = await startServer();
    const c = await connect(server, 'v=8&encoding=json');
    clients.push(c);
    expect((await c.closed).code).toBe(4012);
  });

  it('4013 for invalid or missing intents', async () => {
    for (const intents of [1 << 30, -1, 'all', undefined]) {
      const c = await client();
      c.send(identify({ intents }));
      expect((await c.closed).code).toBe(4013);
    }
  });

  it('4014 for privileged intents the user was not granted', async () => {
    const c = await client({ privilegedIntentsAllowed: () => MESSAGE_CONTENT });
    c.send(identify({ intents: ALL_NON_PRIVILEGED | MESSAGE_CONTENT }));
    await c.dispatch('READY');
    const d = await client();
    d.send(identify({ intents: ALL_NON_PRIVILEGED | GUILD_MEMBERS }));
    expect((await d.closed).code).toBe(4014);
  });

  it('refuses unsupported encodings and compressions at the upgrade with HTTP 400', async () => {
    server = await startServer();
    const { port } = server.address();
    for (const query of ['v=10&encoding=xml', 'v=10&encoding=json&compress=zstd', 'v=10&compress=gzip']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({
          port,
          host: '127.0.0.1',
          path: `/?${query}`,
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          },
        });
        req.on('response', (res) => resolve(res.statusCode ?? 0));
        req.on('upgrade', () => resolve(101));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(400);
    }
  });

  it('answers op 31 and ignores op 43 without closing', async () => {
    const c = await client();
    c.send(identify());
    const ready = await c.dispatch('READY');
    const guildId = ready.d.guilds[0].id;
    c.send({ op: 43, d: { guild_id: guildId, fields: ['status'] } });
    c.send({ op: 31, d: { guild_ids: [guildId, '42'] } });
    const sounds = await c.dispatch('SOUNDBOARD_SOUNDS');
    expect(sounds.d).toEqual({ guild_id: guildId, soundboard_sounds: [] });
    c.send({ op: 1, d: null });
    await c.next((p) => p.op === 11);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
