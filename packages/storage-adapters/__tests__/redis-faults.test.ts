import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, type Server, Socket } from 'node:net';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannelId, idAt, message } from '../src/conformance/fixtures.js';
import { createInMemoryStore } from '../src/index.js';
import { createRedisPresenceStore, withRedisCache } from '../src/redis/index.js';

/*
 * Faults need a Redis this file may kill and restart without disturbing the shared one other test files use: it runs
 * its own redis-server (the binary that .ci/services/redis.sh installs) on a free loopback port.
 */
const up = await requireService({
  name: 'redis-server binary',
  probe: async () => execFileSync('redis-server', ['--version'], { stdio: 'pipe' }),
  howToStart: 'bash .ci/services/redis.sh start (installs redis-server)',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await sleep(50);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${port}`);
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A TCP proxy that can cut every connection and refuse new ones while Redis itself (and its data) stays up. */
async function proxyTo(
  target: number,
): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

const T0 = Date.UTC(2024, 0, 1) - 1_420_070_400_000;

describe.skipIf(!up)('redis faults', { timeout: 30_000 }, () => {
  let port: number;
  let server: ChildProcess;

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
  });
  afterAll(async () => {
    if (server) await stopRedis(server);
  });

  const connect = (p: number) => {
    // Fast reconnects so the test does not wait on back-off; one retry per command at most.
    const redis = new Redis({ port: p, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    return redis;
  };

  it('Redis killed under load: cache ops keep working from the store, presence fails with UNAVAILABLE, both recover after restart', async () => {
    const redis = connect(port);
    await waitFor('ready', () => redis.status === 'ready');
    const inner = createInMemoryStore();
    const cache = withRedisCache(inner, { redis, recentPerChannel: 50, timeoutMs: 200 });
    const presence = createRedisPresenceStore({ redis });
    await presence.set('g', 'u0', { status: 'online' });
    const ch = freshChannelId();
    let next = 0;
    const nextId = () => idAt(T0 + next++ * 10);
    for (let i = 0; i < 20; i++) await cache.create(message(ch, nextId()));
    await cache.list(ch);
    expect((await cache.list(ch)).length).toBe(20);
    expect(cache.stats().hits).toBe(1);

    const presenceErrors: unknown[] = [];
    let stop = false;
    let seq = 0;
    let ops = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const id = nextId();
        await cache.create(message(ch, id, `w${w}`));
        if (ops % 5 === 0) await cache.edit(ch, id, { content: `edited ${id}` });
        // Any cache failure here rejects the workers and fails the test.
        const page = await cache.list(ch, { limit: 10 });
        expect(page.length).toBe(10);
        try {
          await presence.set('g', `u${++seq}`, { status: 'online', seq }, 60_000);
        } catch (err) {
          presenceErrors.push(err);
        }
        ops++;
        await sleep(1);
      }
    };
    const workers = Promise.all([0, 1, 2].map(worker));
    await waitFor('load', () => ops > 30);
    await stopRedis(server);
    await waitFor('errors while Redis is down', () => presenceErrors.length >= 5);
    const opsWhileDown = ops;
    await waitFor('ops while Redis is down', () => ops > opsWhileDown + 20);
    server = await startRedis(port);
    await waitFor('reconnect', () => redis.status === 'ready');
    await waitFor('ops after restart', () => ops > opsWhileDown + 60);
    stop = true;
    await workers;

    // Presence: every failure was a typed UNAVAILABLE, never a hang or an untyped error.
    expect(presenceErrors.length).toBeGreaterThan(0);
    for (const err of presenceErrors)
      expect(err).toMatchObject({ code: 'UNAVAILABLE', name: 'StorageUnavailableError' });
    // The restarted Redis lost what it held (no persistence): reads say so, they do not answer wrongly.
    expect(await presence.get('g', 'u0')).toBeNull();
    await presence.set('g2', 'u', { status: 'idle' });
    expect(await presence.get('g2', 'u')).toEqual({ status: 'idle' });

    // Cache: every write reached the store exactly once, and the cache serves it again.
    const all = await inner.list(ch, { limit: 100 });
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    expect(cache.stats().redisErrors).toBeGreaterThan(0);
    await waitFor('pending invalidations flushed', () => cache.pendingInvalidations() === 0);
    const hits = cache.stats().hits;
    expect(await cache.list(ch, { limit: 50 })).toEqual(await inner.list(ch, { limit: 50 }));
    expect(await cache.list(ch, { limit: 50 })).toEqual(await inner.list(ch, { limit: 50 }));
    expect(cache.stats().hits).toBeGreaterThan(hits);
    redis.disconnect();
  });

  it('an invalidation that could not reach Redis is replayed on reconnect, before the stale window is read', async () => {
    const proxy = await proxyTo(port);
    const redis = connect(proxy.port);
    const observer = connect(port);
    try {
      await waitFor('ready', () => redis.status === 'ready');
      const prefix = `fault${Date.now()}:`;
      const inner = createInMemoryStore();
      const cache = withRedisCache(inner, { redis, keyPrefix: prefix, timeoutMs: 200 });
      const ch = freshChannelId();
      const a = idAt(T0);
      const b = idAt(T0 + 1000);
      await cache.create(message(ch, a, 'a v1'));
      await cache.create(message(ch, b, 'b v1'));
      await cache.list(ch);
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['b v1', 'a v1']);

      // Cut the network: Redis keeps the window (with 'b v1'), the client cannot reach it.
      proxy.cut();
      await waitFor('disconnect', () => redis.status !== 'ready');
      const edited = await cache.edit(ch, b, { content: 'b v2' });
      expect(edited.content).toBe('b v2');
      expect(await cache.delete(ch, a)).toBe(true);
      expect(cache.pendingInvalidations()).toBe(1);
      // Reads bypass Redis meanwhile.
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['b v2']);
      // The stale window is still in Redis.
      expect(await observer.hget(`${prefix}{${ch}}:msgs`, b.padStart(20, '0'))).toContain('b v1');

      proxy.restore();
      await waitFor('reconnect', () => redis.status === 'ready');
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['b v2']);
      expect(cache.pendingInvalidations()).toBe(0);
      expect(await observer.exists(`${prefix}{${ch}}:msgs`)).toBeLessThanOrEqual(1);
      // And the cache is back in use.
      const hits = cache.stats().hits;
      await cache.list(ch);
      expect(cache.stats().hits).toBe(hits + 1);
      expect((await cache.get(ch, b))?.content).toBe('b v2');
    } finally {
      redis.disconnect();
      observer.disconnect();
      await proxy.close();
    }
  });
});
