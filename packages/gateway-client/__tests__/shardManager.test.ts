import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError, type SessionInfo, ShardManager } from '../src/index.js';
import { FakeGateway } from './helpers/FakeGateway.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function restFor(
  gateway: FakeGateway,
  shards: number,
  maxConcurrency: number,
  remaining = 1000,
): Promise<string> {
  const http = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        url: gateway.url,
        shards,
        session_start_limit: { total: 1000, remaining, reset_after: 0, max_concurrency: maxConcurrency },
      }),
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => http.close(r)));
  return `http://127.0.0.1:${(http.address() as { port: number }).port}/api/v10`;
}

describe('ShardManager', () => {
  it('takes the shard count and max_concurrency from /gateway/bot and identifies every shard', async () => {
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    const rest = await restFor(gateway, 3, 3);
    const manager = new ShardManager({ token: 't', intents: 1, rest });
    cleanups.push(() => manager.destroy());
    const ready: number[] = [];
    manager.on('ready', (_d, shardId) => ready.push(shardId));
    await manager.connect();
    expect(manager.shardCount).toBe(3);
    expect(ready.sort()).toEqual([0, 1, 2]);
    const shards = await Promise.all(gateway.connections.map(async (c) => (await c.next(2)).d.shard));
    expect(shards.sort()).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(manager.statuses().map((s) => [s.shardId, s.status])).toEqual([
      [0, 'ready'],
      [1, 'ready'],
      [2, 'ready'],
    ]);
  });

  it('spaces identifies of one bucket by identifyIntervalMs (max_concurrency 1)', async () => {
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    // Timestamps taken in the client right after the gate opens (network delivery would add jitter).
    const identifiedAt: number[] = [];
    const manager = new ShardManager({
      token: 't',
      intents: 1,
      url: gateway.url,
      shardCount: 3,
      identifyIntervalMs: 150,
    });
    manager.on('debug', (message) => {
      if (message.endsWith('identifying')) identifiedAt.push(performance.now());
    });
    cleanups.push(() => manager.destroy());
    await manager.connect();
    expect(identifiedAt.length).toBe(3);
    // ordering guarantee, not a timing benchmark: each identify waits for its bucket's previous one + the interval
    for (let i = 1; i < 3; i++)
      expect((identifiedAt[i] as number) - (identifiedAt[i - 1] as number)).toBeGreaterThanOrEqual(145);
  });

  it('resumes shards from the session store and writes sessions back', async () => {
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    const writes: [number, SessionInfo | null][] = [];
    const store = new Map<number, SessionInfo>();
    const sessionStore = {
      get: async (id: number) => store.get(id),
      set: async (id: number, info: SessionInfo | null) => {
        writes.push([id, info]);
        if (info) store.set(id, info);
        else store.delete(id);
      },
    };
    const first = new ShardManager({ token: 't', intents: 1, url: gateway.url, shardCount: 1, sessionStore });
    await first.connect();
    gateway.dispatch(gateway.session, 'A', {});
    await new Promise((r) => setTimeout(r, 30));
    await first.destroy({ keepSessions: true });
    expect(store.get(0)).toMatchObject({ sessionId: 'session-1', sequence: 2 });
    const second = new ShardManager({ token: 't', intents: 1, url: gateway.url, shardCount: 1, sessionStore });
    cleanups.push(() => second.destroy());
    await second.connect();
    expect((await gateway.last.next(6)).d).toEqual({ token: 't', session_id: 'session-1', seq: 2 });
    expect(writes.length).toBeGreaterThan(1);
  });

  it('refuses to start when session_start_limit.remaining is below the shards that need a new session', async () => {
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    const rest = await restFor(gateway, 3, 1, 2);
    const manager = new ShardManager({ token: 't', intents: 1, rest });
    await expect(manager.connect()).rejects.toMatchObject({ code: 'SESSION_START_LIMIT' });
    expect(gateway.connections.length).toBe(0);
  });

  it('persists the moving sequence of ready shards periodically', async () => {
    const gateway = await FakeGateway.start();
    cleanups.push(() => gateway.close());
    const store = new Map<number, SessionInfo | null>();
    const manager = new ShardManager({
      token: 't',
      intents: 1,
      url: gateway.url,
      shardCount: 1,
      sessionPersistIntervalMs: 20,
      sessionStore: { get: (id) => store.get(id), set: (id, info) => void store.set(id, info) },
    });
    cleanups.push(() => manager.destroy());
    await manager.connect();
    expect(store.get(0)?.sequence).toBe(1);
    for (let i = 0; i < 5; i++) gateway.dispatch(gateway.session, 'A', {});
    await expect.poll(() => store.get(0)?.sequence, { timeout: 2000 }).toBe(6);
  });

  it('rejects bad shard ids', async () => {
    const manager = new ShardManager({ token: 't', intents: 1, url: 'ws://127.0.0.1:1', shardCount: 2, shardIds: [2] });
    await expect(manager.connect()).rejects.toBeInstanceOf(GatewayClientError);
  });
});
