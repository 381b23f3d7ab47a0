import { encodings } from '@concord/protocol';
import { zstdAvailable } from '@concord/protocol/compression';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DispatchPayload,
  GatewayClientError,
  GatewayCloseError,
  GatewayConnection,
  type GatewayConnectionOptions,
} from '../src/index.js';
import { delay, FakeGateway, once } from './helpers/FakeGateway.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(
  gatewayOptions: Parameters<typeof FakeGateway.start>[0] = {},
  clientOptions: Partial<GatewayConnectionOptions> = {},
) {
  const gateway = await FakeGateway.start(gatewayOptions);
  const client = new GatewayConnection({
    token: 'Bot secret',
    intents: 513,
    url: gateway.url,
    backoff: { base: 10, max: 50 },
    invalidSessionDelay: { min: 5, max: 10 },
    ...clientOptions,
  });
  const dispatches: DispatchPayload[] = [];
  const errors: Error[] = [];
  client.on('dispatch', (p) => dispatches.push(p));
  client.on('error', (e) => errors.push(e));
  cleanups.push(
    () => gateway.close(),
    () => client.destroy(),
  );
  return { gateway, client, dispatches, errors };
}

describe('GatewayConnection: handshake', () => {
  it('identifies with token, intents, properties, shard, presence, large_threshold and resolves on READY', async () => {
    const presence = { since: null, activities: [], status: 'online' as const, afk: false };
    const { gateway, client } = await setup(
      {},
      { shard: [1, 4], presence, largeThreshold: 100, properties: { os: 'x', browser: 'y', device: 'z' } },
    );
    const ready = once(client, 'ready');
    await client.connect();
    const [data] = (await ready) as [{ session_id: string }];
    const identify = await gateway.last.next(2);
    expect(identify.d).toEqual({
      token: 'secret',
      intents: 513,
      properties: { os: 'x', browser: 'y', device: 'z' },
      shard: [1, 4],
      presence,
      large_threshold: 100,
    });
    expect(data.session_id).toBe('session-1');
    expect(client.status).toBe('ready');
    expect(client.session).toEqual({ sessionId: 'session-1', sequence: 1, resumeUrl: gateway.url });
    expect(gateway.last.compress).toBe('zlib-stream');
    expect(gateway.last.query.get('v')).toBe('10');
  });

  it('emits each dispatch by name and as `dispatch`, with its sequence', async () => {
    const { gateway, client, dispatches } = await setup();
    await client.connect();
    const named = once(client, 'MESSAGE_CREATE');
    gateway.dispatch(gateway.session, 'MESSAGE_CREATE', { id: '5', content: 'hi' });
    const [d, payload] = (await named) as [unknown, DispatchPayload];
    expect(d).toEqual({ id: '5', content: 'hi' });
    expect(payload.s).toBe(2);
    expect(dispatches.map((p) => p.t)).toEqual(['READY', 'MESSAGE_CREATE']);
    expect(client.sequence).toBe(2);
  });

  it('finds the gateway with GET /gateway/bot and the Bot authorization header', async () => {
    const { createServer } = await import('node:http');
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    const auth: (string | undefined)[] = [];
    const http = createServer((req, res) => {
      auth.push(req.headers.authorization);
      expect(req.url).toBe('/api/v10/gateway/bot');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          url: gateway.url,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        }),
      );
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => http.close(r)));
    const port = (http.address() as { port: number }).port;
    const client = new GatewayConnection({ token: 'tok', intents: 1, rest: `http://127.0.0.1:${port}/api/v10` });
    cleanups.push(() => client.destroy());
    await client.connect();
    expect(auth).toEqual(['Bot tok']);
    expect(client.status).toBe('ready');
  });

  it('rejects with GATEWAY_BOT_FAILED when /gateway/bot is unreachable', async () => {
    const client = new GatewayConnection({ token: 'tok', intents: 1, rest: 'http://127.0.0.1:1/api/v10' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'GATEWAY_BOT_FAILED' });
  });

  it.skipIf(zstdAvailable())(
    'surfaces zstd-stream as UNSUPPORTED_COMPRESSION where the runtime has no zstd',
    async () => {
      const client = new GatewayConnection({
        token: 't',
        intents: 1,
        url: 'ws://127.0.0.1:1',
        compression: 'zstd-stream',
      });
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayClientError);
      expect((error as GatewayClientError).code).toBe('UNSUPPORTED_COMPRESSION');
    },
  );

  it('rejects payload compression with a binary encoding', () => {
    expect(
      () => new GatewayConnection({ token: 't', intents: 1, url: 'ws://x', encoding: 'etf', compression: 'payload' }),
    ).toThrow(GatewayClientError);
  });

  for (const encoding of Object.keys(encodings) as ('json' | 'etf' | 'msgpack')[]) {
    for (const compression of [
      'zlib-stream',
      'zstd-stream',
      null,
      ...(encoding === 'json' ? ['payload' as const] : []),
    ] as const) {
      it(`works with ${encoding} / ${compression ?? 'no compression'}`, async () => {
        const { gateway, client } = await setup({}, { encoding, compression });
        await client.connect();
        expect(gateway.last.encoding.name).toBe(encoding);
        const identify = await gateway.last.next(2);
        expect(identify.d.compress === true).toBe(compression === 'payload');
        const got = once(client, 'MESSAGE_CREATE');
        const big = 'x'.repeat(5000); // big enough to be worth compressing
        gateway.dispatch(gateway.session, 'MESSAGE_CREATE', { id: '123456789012345678', content: big });
        const [d] = (await got) as [{ id: string; content: string }];
        expect(d.content).toBe(big);
        expect(String(d.id)).toBe('123456789012345678');
      });
    }
  }
});

describe('GatewayConnection: heartbeats', () => {
  it('answers a server heartbeat request (op 1) at once, with the last sequence', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    gateway.dispatch(gateway.session, 'X', {});
    await once(client, 'X');
    gateway.last.send({ op: 1, d: null });
    const beat = await gateway.last.next(1);
    expect(beat.d).toBe(2);
  });

  it('treats a connection without ACKs as a zombie: closes it (not 1000) and resumes', async () => {
    // Only the first connection swallows heartbeats; listeners are attached before connecting, since on a loaded
    // machine the zombie may be detected before `connect()`'s continuation runs.
    const { gateway, client, dispatches } = await setup(
      { heartbeatInterval: 40, onPayload: (conn, p) => p.op === 1 && conn === gateway.connections[0] },
      { random: () => 0 },
    );
    const closed = once<[{ code: number; byClient: boolean; next: string }]>(client, 'closed');
    const resumed = once(client, 'resumed');
    await client.connect();
    const first = gateway.connections[0] as NonNullable<(typeof gateway.connections)[0]>;
    const [info] = await closed;
    expect(info).toMatchObject({ byClient: true, next: 'resume' });
    expect(info.code).not.toBe(1000);
    await resumed;
    expect(gateway.connections.length).toBe(2);
    const resume = await gateway.last.next(6);
    expect(resume.d).toEqual({ token: 'secret', session_id: 'session-1', seq: 1 });
    // the old connection is gone without a 1000/1001 (which would have ended the session)
    const { code } = await first.closed;
    expect([1000, 1001]).not.toContain(code);
    expect(dispatches.map((d) => d.t)).toEqual(['READY', 'RESUMED']);
  });
});

describe('GatewayConnection: server-driven reconnects', () => {
  it('op 7: reconnects to resume_gateway_url and resumes', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    gateway.dispatch(gateway.session, 'A', {});
    await once(client, 'A');
    const resumed = once(client, 'resumed');
    gateway.last.send({ op: 7, d: null });
    await resumed;
    expect((await gateway.last.next(6)).d.seq).toBe(2);
  });

  it('op 9 d:true resumes; op 9 d:false waits, then identifies a new session', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    let resumed = once(client, 'resumed');
    gateway.last.send({ op: 9, d: true });
    await resumed;
    expect(gateway.last.received.map((p) => p.op)).toContain(6);
    const ready = once<[{ session_id: string }]>(client, 'ready');
    gateway.last.send({ op: 9, d: false });
    const [data] = await ready;
    expect(data.session_id).toBe('session-2');
    expect(gateway.last.received.map((p) => p.op)).not.toContain(6);
    expect(client.sequence).toBe(1);
    resumed = once(client, 'resumed');
    gateway.last.destroy();
    await resumed;
    expect((await gateway.last.next(6)).d.session_id).toBe('session-2');
  });

  it('resumes after the socket is cut in the middle of a zlib-stream payload: nothing lost, nothing twice', async () => {
    const { gateway, client, dispatches, errors } = await setup();
    await client.connect();
    const s = gateway.session;
    gateway.dispatch(s, 'M', { n: 1 });
    gateway.dispatch(s, 'M', { n: 2 });
    await delay(20);
    // Half of the next payload's compressed bytes, then the TCP connection dies.
    const conn = gateway.last;
    s.conn = null;
    const pad = Array.from({ length: 400 }, (_, i) => (i * 7919) % 1000).join(',');
    const seq = gateway.dispatch(s, 'M', { n: 3, pad });
    const frame = conn.frame({ op: 0, t: 'M', d: { n: 3, pad }, s: seq }) as Uint8Array;
    expect(frame.length).toBeGreaterThan(200);
    conn.sendFrame(frame.subarray(0, frame.length >> 1));
    await delay(20);
    gateway.dispatch(s, 'M', { n: 4 });
    const resumed = once(client, 'resumed');
    conn.destroy();
    await resumed;
    gateway.dispatch(s, 'M', { n: 5 });
    await once(client, 'M');
    expect(dispatches.filter((d) => d.t === 'M').map((d) => (d.d as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(dispatches.map((d) => d.s)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(errors).toEqual([]);
  });

  it('drops dispatches a resume replays although they were already delivered', async () => {
    const { gateway, client, dispatches } = await setup({ replayOverlap: 3 });
    await client.connect();
    for (let n = 1; n <= 4; n++) gateway.dispatch(gateway.session, 'M', { n });
    await delay(20);
    gateway.last.destroy();
    gateway.dispatch(gateway.session, 'M', { n: 5 });
    await once(client, 'resumed');
    const ns = dispatches.filter((d) => d.t === 'M').map((d) => (d.d as { n: number }).n);
    expect(ns).toEqual([1, 2, 3, 4, 5]);
    const seqs = dispatches.map((d) => d.s);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  const resumable = [4000, 4001, 4002, 4003, 4005, 4008, 1006, 1011, 4999];
  const newSession = [4007, 4009, 1000, 1001];
  const fatal = [4004, 4010, 4011, 4012, 4013, 4014];

  for (const code of resumable) {
    it(`close ${code}: resumes`, async () => {
      const { gateway, client } = await setup();
      await client.connect();
      const resumed = once(client, 'resumed');
      if (code === 1006) gateway.last.destroy();
      else gateway.last.ws.close(code);
      await resumed;
      expect(gateway.last.received[0]?.op === 6 || gateway.last.received.some((p) => p.op === 6)).toBe(true);
    });
  }

  for (const code of newSession) {
    it(`close ${code}: identifies a new session`, async () => {
      const { gateway, client } = await setup();
      await client.connect();
      const ready = once<[{ session_id: string }]>(client, 'ready');
      gateway.last.ws.close(code);
      const [data] = await ready;
      expect(data.session_id).toBe('session-2');
      expect(gateway.last.received.some((p) => p.op === 6)).toBe(false);
    });
  }

  for (const code of fatal) {
    it(`close ${code}: fatal, typed error, no reconnect`, async () => {
      const { gateway, client, errors } = await setup({
        onPayload: (conn, p) => {
          if (p.op === 2) {
            conn.ws.close(code, 'nope');
            return true;
          }
          return undefined;
        },
      });
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayCloseError);
      expect((error as GatewayCloseError).closeCode).toBe(code);
      expect((error as GatewayCloseError).code).toBe('FATAL_CLOSE');
      expect(errors).toContain(error);
      expect(client.status).toBe('closed');
      await delay(100);
      expect(gateway.connections.length).toBe(1);
    });
  }
});

describe('GatewayConnection: commands', () => {
  it('sends presence (op 3) and voice state (op 4) updates, and uses the presence on the next identify', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    const presence = { since: null, activities: [], status: 'idle' as const, afk: true };
    await client.setPresence(presence);
    await client.updateVoiceState({ guild_id: '1', channel_id: '2', self_deaf: true });
    expect((await gateway.last.next(3)).d).toEqual(presence);
    expect((await gateway.last.next(4)).d).toEqual({
      guild_id: '1',
      channel_id: '2',
      self_mute: false,
      self_deaf: true,
    });
    const ready = once(client, 'ready');
    gateway.last.ws.close(4009);
    await ready;
    expect((await gateway.last.next(2)).d.presence).toEqual(presence);
  });

  it('collects GUILD_MEMBERS_CHUNK answers by nonce, in any order', async () => {
    const { gateway, client } = await setup({
      onPayload: (conn, p) => {
        if (p.op !== 8) return undefined;
        const session = conn.session as NonNullable<typeof conn.session>;
        // Another request's chunk first (must be ignored), then ours out of order.
        gateway.dispatch(session, 'GUILD_MEMBERS_CHUNK', {
          guild_id: '1',
          members: [{ user: { id: '99' } }],
          chunk_index: 0,
          chunk_count: 1,
          nonce: 'other',
        });
        for (const index of [2, 0, 1]) {
          gateway.dispatch(session, 'GUILD_MEMBERS_CHUNK', {
            guild_id: '1',
            members: [{ user: { id: String(index) } }],
            chunk_index: index,
            chunk_count: 3,
            not_found: index === 1 ? ['404'] : [],
            nonce: p.d.nonce,
          });
        }
        return true;
      },
    });
    await client.connect();
    const result = await client.requestGuildMembers({ guild_id: '1', query: 'a', limit: 10 });
    expect(result.chunkCount).toBe(3);
    expect((result.members as { user: { id: string } }[]).map((m) => m.user.id).sort()).toEqual(['0', '1', '2']);
    expect(result.notFound).toEqual(['404']);
    const request = await gateway.last.next(8);
    expect(request.d).toMatchObject({ guild_id: '1', query: 'a', limit: 10 });
    expect(typeof request.d.nonce).toBe('string');
  });

  it('rejects a member request with TIMEOUT, or with the RATE_LIMITED retry_after', async () => {
    let limited = false;
    const { gateway, client } = await setup({
      onPayload: (conn, p) => {
        if (p.op !== 8) return undefined;
        if (limited) {
          gateway.dispatch(conn.session as NonNullable<typeof conn.session>, 'RATE_LIMITED', {
            opcode: 8,
            retry_after: 12.5,
            meta: { guild_id: '1', nonce: p.d.nonce },
          });
        }
        return true;
      },
    });
    await client.connect();
    await expect(client.requestGuildMembers({ guild_id: '1' }, { timeout: 30 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    limited = true;
    await expect(client.requestGuildMembers({ guild_id: '1' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 12.5,
    });
  });

  it('destroy(): closes with 1000, rejects pending work, stays closed', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    const pending = client.requestGuildMembers({ guild_id: '1' }).catch((e: unknown) => e);
    client.destroy();
    expect(await pending).toMatchObject({ code: 'DESTROYED' });
    expect((await gateway.last.closed).code).toBe(1000);
    await expect(client.send({ op: 3, d: {} })).rejects.toMatchObject({ code: 'DESTROYED' });
    expect(client.status).toBe('destroyed');
  });

  it('destroy({keepSession}) closes with 4000 and the session resumes in a new client', async () => {
    const { gateway, client } = await setup();
    await client.connect();
    gateway.dispatch(gateway.session, 'A', {});
    await once(client, 'A');
    client.destroy({ keepSession: true });
    expect((await gateway.last.closed).code).toBe(4000);
    const session = client.session;
    expect(session?.sequence).toBe(2);
    gateway.dispatch(gateway.session, 'B', {});
    const next = new GatewayConnection({ token: 'secret', intents: 513, url: gateway.url, session });
    cleanups.push(() => next.destroy());
    const got: string[] = [];
    next.on('dispatch', (p) => got.push(p.t));
    await next.connect();
    expect(got).toEqual(['B', 'RESUMED']);
  });
});
