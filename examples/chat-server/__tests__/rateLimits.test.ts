import { openStorage } from '@concord/storage-adapters/open';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../src/createChatServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const GENERAL = '1200000000000000001';
const VOICE = '1200000000000000002';
// Windows far longer than the test, so a slow machine cannot let a window reset in the middle of a burst.
const MINUTE = 60_000;

// Item 7 of issue 12: buckets were keyed by the unvalidated path id (each random id a fresh bucket, each bucket a new
// entry in a never-pruned hash map), and nothing limited a user or an address as a whole.
describe('REST rate limits', () => {
  let server: ChatServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (rateLimits: ChatServerOptions['rateLimits']) => {
    server = await createChatServer({ storage: await openStorage(':memory:'), port: 0, rateLimits });
    return server;
  };
  const call = (token: string | null, path: string) =>
    fetch(`${server!.url}/api/v10${path}`, { headers: token ? { Authorization: token } : {} });
  const randomId = () => String(1_300_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15)));

  it('random channel ids share one per-user global limit; the 429 says global', async () => {
    await start({ global: { limit: 50, windowMs: MINUTE } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 80; i++) {
      const res = await call('prober', `/channels/${randomId()}/messages`);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses.slice(0, 50).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
    expect(limited!.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited!.json()) as Json;
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: true });
    expect(body.retry_after).toBeGreaterThan(0);
    // Another user is not limited by the prober.
    expect((await call('bystander', `/channels/${GENERAL}`)).status).toBe(200);
  });

  it('the default global limit is Discord’s 50 requests per second per user', async () => {
    const { defaultRestOptions } = await import('@concord/rest-server');
    expect(defaultRestOptions.rateLimits.global).toEqual({ limit: 50, windowMs: 1000 });
  });

  it('malformed ids are refused before any bucket; the bucket hash names the route, not the id', async () => {
    await start({});
    // An unknown id is counted in the route's bucket, as Discord does; its hash is the route's, whatever the id.
    const unknown = await call('hasher', `/channels/${randomId()}/messages`);
    const another = await call('hasher', `/channels/${randomId()}/messages`);
    expect(unknown.status).toBe(404);
    expect(another.headers.get('x-ratelimit-bucket')).toBe(unknown.headers.get('x-ratelimit-bucket'));
    const malformed = await call('hasher', '/channels/12abc/messages');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-ratelimit-bucket')).toBeNull();
    expect(await malformed.json()).toMatchObject({
      code: 50035,
      errors: { channel_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE' }] } },
    });
    const text = await call('hasher', `/channels/${GENERAL}/messages`);
    expect(text.headers.get('x-ratelimit-bucket')).toBe(unknown.headers.get('x-ratelimit-bucket'));
    const voice = await call('hasher', `/channels/${VOICE}/messages`);
    const channel = await call('hasher', `/channels/${GENERAL}`);
    expect(text.status).toBe(200);
    expect(voice.status).toBe(200);
    const hash = text.headers.get('x-ratelimit-bucket');
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    // Discord: the hash excludes the top-level resource (the major parameter); the windows stay apart by it.
    expect(voice.headers.get('x-ratelimit-bucket')).toBe(hash);
    expect(channel.headers.get('x-ratelimit-bucket')).not.toBe(hash);
    expect(voice.headers.get('x-ratelimit-remaining')).toBe(text.headers.get('x-ratelimit-remaining'));
  });

  it('requests without a valid token are limited per address', async () => {
    await start({ unauthenticated: { limit: 20, windowMs: MINUTE } });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await call(null, i % 2 ? '/users/@me' : '/gateway');
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 401 || s === 200)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // A logged-in user from the same address has a limit of their own.
    expect((await call('member', `/channels/${GENERAL}`)).status).toBe(200);
  });

  it('too many invalid requests (401/403/429) from one address stop every request from it for a while', async () => {
    await start({
      invalidRequests: { limit: 10, windowMs: MINUTE },
      unauthenticated: { limit: 1000, windowMs: MINUTE },
    });
    for (let i = 0; i < 10; i++) expect((await call(null, '/users/@me')).status).toBe(401);
    const banned = await call('member', `/channels/${GENERAL}`);
    expect(banned.status).toBe(429);
    expect(banned.headers.get('x-ratelimit-scope')).toBe('global');
    expect(((await banned.json()) as Json).global).toBe(true);
  });
});
