import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryRateLimitStore } from '../src/rateLimit/InMemoryRateLimitStore.js';
import type { RateLimitResult, RateLimitRule } from '../src/rateLimit/RateLimitRule.js';
import type { RateLimitStore } from '../src/rateLimit/RateLimitStore.js';
import { createTestApp, generousLimits, type TestApp } from './helpers/createTestApp.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('route buckets', () => {
  it('sends Discord’s X-RateLimit-* headers, one bucket hash per route template', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, read: { limit: 5, windowMs: 60_000 } } });
    const a = await t.call('alice', 'GET', '/api/v10/users/@me');
    const b = await t.call('alice', 'GET', '/api/v10/users/@me');
    expect(a.headers['x-ratelimit-limit']).toBe('5');
    expect(a.headers['x-ratelimit-remaining']).toBe('4');
    expect(b.headers['x-ratelimit-remaining']).toBe('3');
    expect(Number(a.headers['x-ratelimit-reset-after'])).toBeGreaterThan(0);
    expect(Number(a.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(a.headers['x-ratelimit-bucket']).toMatch(/^[0-9a-f]{16}$/);
    expect(b.headers['x-ratelimit-bucket']).toBe(a.headers['x-ratelimit-bucket']);
    const other = await t.call('alice', 'GET', '/api/v10/users/@me/guilds');
    expect(other.headers['x-ratelimit-bucket']).not.toBe(a.headers['x-ratelimit-bucket']);
    // Each user has their own windows.
    const bob = await t.call('bob', 'GET', '/api/v10/users/@me');
    expect(bob.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('answers 429 with Discord’s body, Retry-After and scope once the bucket is empty', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, read: { limit: 2, windowMs: 60_000 } } });
    await t.call('alice', 'GET', '/api/v10/users/@me');
    await t.call('alice', 'GET', '/api/v10/users/@me');
    const res = await t.call('alice', 'GET', '/api/v10/users/@me');
    expect(res.statusCode).toBe(429);
    const body = res.json();
    expect(body).toEqual({ message: 'You are being rate limited.', retry_after: expect.any(Number), global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers['x-ratelimit-scope']).toBe('user');
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(res.headers['x-ratelimit-global']).toBeUndefined();
  });

  it('counts per major parameter: another guild has its own window', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, read: { limit: 1, windowMs: 60_000 } } });
    const a = (await t.call('alice', 'POST', '/api/v10/guilds', { name: 'One' })).json().id;
    const b = (await t.call('alice', 'POST', '/api/v10/guilds', { name: 'Two' })).json().id;
    expect((await t.call('alice', 'GET', `/api/v10/guilds/${a}`)).statusCode).toBe(200);
    expect((await t.call('alice', 'GET', `/api/v10/guilds/${a}`)).statusCode).toBe(429);
    expect((await t.call('alice', 'GET', `/api/v10/guilds/${b}`)).statusCode).toBe(200);
  });
});

describe('global and invalid-request limits', () => {
  it('answers 429 global with X-RateLimit-Global past the per-user global limit', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, global: { limit: 3, windowMs: 60_000 } } });
    for (let i = 0; i < 3; i++) expect((await t.call('alice', 'GET', '/api/v10/users/@me')).statusCode).toBe(200);
    const res = await t.call('alice', 'GET', '/api/v10/users/@me/guilds');
    expect(res.statusCode).toBe(429);
    expect(res.json().global).toBe(true);
    expect(res.headers['x-ratelimit-global']).toBe('true');
    expect(res.headers['x-ratelimit-scope']).toBe('global');
  });

  it('limits requests without a token per address', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, unauthenticated: { limit: 2, windowMs: 60_000 } } });
    expect((await t.call(null, 'GET', '/api/v10/gateway')).statusCode).toBe(200);
    expect((await t.call(null, 'GET', '/api/v10/gateway')).statusCode).toBe(200);
    expect((await t.call(null, 'GET', '/api/v10/gateway')).statusCode).toBe(429);
  });

  it('refuses an address that collected too many 401/403/429 answers', async () => {
    t = await createTestApp({ rateLimits: { ...generousLimits, invalidRequests: { limit: 3, windowMs: 60_000 } } });
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ url: '/api/v10/users/@me', headers: { authorization: 'Bot unknown' } });
      expect(res.statusCode).toBe(401);
    }
    const res = await t.call('alice', 'GET', '/api/v10/users/@me');
    expect(res.statusCode).toBe(429);
    expect(res.json().global).toBe(true);
  });
});

describe('RateLimitStore', () => {
  it('is pluggable: every key the pipeline counts goes through the given store', async () => {
    const keys: string[] = [];
    const inner = new InMemoryRateLimitStore();
    const store: RateLimitStore = {
      take: async (key: string, rule: RateLimitRule): Promise<RateLimitResult> => {
        keys.push(key);
        return inner.take(key, rule);
      },
      peek: (key, rule) => inner.peek(key, rule),
      close: () => inner.close(),
    };
    t = await createTestApp({ rateLimitStore: store });
    const me = t.user('alice');
    await t.call('alice', 'GET', '/api/v10/users/@me');
    expect(keys).toEqual([
      `global:user:${me.id}`,
      expect.stringMatching(new RegExp(`^route:[0-9a-f]{16}::user:${me.id}$`)),
    ]);
    inner.close();
  });

  it('InMemoryRateLimitStore: fixed windows, peek without counting, reset, bounded size', () => {
    let now = 1_000_000;
    const store = new InMemoryRateLimitStore({ maxWindows: 2, now: () => now });
    const rule = { limit: 2, windowMs: 1000 };
    expect(store.take('a', rule)).toMatchObject({ allowed: true, remaining: 1, resetAt: 1_001_000 });
    expect(store.peek('a', rule)).toMatchObject({ allowed: true, remaining: 1 });
    expect(store.take('a', rule).remaining).toBe(0);
    expect(store.take('a', rule)).toMatchObject({ allowed: false, remaining: 0, resetAfter: 1 });
    now += 1000;
    expect(store.take('a', rule)).toMatchObject({ allowed: true, remaining: 1 });
    store.take('b', rule);
    store.take('c', rule);
    expect(store.size).toBe(2);
    now += 5000;
    store.sweep();
    expect(store.size).toBe(0);
    store.close();
  });
});
