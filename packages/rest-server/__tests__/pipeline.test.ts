import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('authentication', () => {
  it('accepts `Bot <token>`, `Bearer <token>` and a bare token', async () => {
    t.user('alice');
    for (const authorization of ['Bot alice', 'Bearer alice', 'alice', '  bot   alice  ']) {
      const res = await t.app.inject({ url: '/api/v10/users/@me', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(200);
      expect(res.json().username).toBe('alice');
    }
  });

  it('tells authenticate the scheme the token came with', async () => {
    const seen: unknown[] = [];
    const app = await createTestApp({
      authenticate: (token, context) => {
        seen.push(context.scheme ?? null);
        return { user: { id: '4242', username: token } };
      },
    });
    for (const authorization of ['Bot carol', 'Bearer carol', 'carol']) {
      await app.app.inject({ url: '/api/v10/users/@me', headers: { authorization } });
    }
    await app.close();
    expect(seen).toEqual(['Bot', 'Bearer', null]);
  });

  it('answers JSON as Discord does: Content-Type exactly application/json (discord.py compares it whole)', async () => {
    t.user('alice');
    const res = await t.app.inject({ url: '/api/v10/users/@me', headers: { authorization: 'Bot alice' } });
    expect(res.headers['content-type']).toBe('application/json');
    const refused = await t.app.inject({ url: '/api/v10/users/@me' });
    expect(refused.headers['content-type']).toBe('application/json');
  });

  it('answers 401 with Discord’s body without a token or with an unknown one', async () => {
    for (const headers of [{}, { authorization: 'Bot nobody' }, { authorization: 'Bot ' }]) {
      const res = await t.app.inject({ url: '/api/v10/users/@me', headers });
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe('{"message":"401: Unauthorized","code":0}');
    }
  });

  it('serves GET /gateway without a token', async () => {
    const res = await t.app.inject({ url: '/api/v10/gateway', headers: { host: 'chat.test' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ url: 'ws://chat.test/' });
  });

  it('passes the remote address to authenticate', async () => {
    const seen: string[] = [];
    const other = await createTestApp({
      authenticate: (token, context) => {
        seen.push(`${token}@${context.remoteAddress}`);
        return null;
      },
    });
    await other.app.inject({ url: '/api/users/@me', headers: { authorization: 'Bearer tok' } });
    await other.close();
    expect(seen).toEqual(['tok@127.0.0.1']);
  });
});

describe('paths', () => {
  it('serves /api/... and /api/v{n}/...', async () => {
    for (const url of ['/api/users/@me', '/api/v9/users/@me', '/api/v10/users/@me']) {
      expect((await t.call('alice', 'GET', url)).statusCode, url).toBe(200);
    }
  });

  it('answers an unknown route 404 and a known path with another method 405, in Discord’s shape', async () => {
    const missing = await t.call('alice', 'GET', '/api/v10/nothing/here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: '404: Not Found', code: 0 });
    const badVersion = await t.call('alice', 'GET', '/api/vx/users/@me');
    expect(badVersion.json()).toEqual({ message: '404: Not Found', code: 0 });
    const wrongMethod = await t.call('alice', 'PUT', '/api/v10/users/@me');
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.json()).toEqual({ message: '405: Method Not Allowed', code: 0 });
    for (const method of ['HEAD', 'TRACE', 'PROPFIND', 'SEARCH']) {
      const res = await t.call('alice', method, '/api/v10/users/@me');
      expect(res.statusCode, method).toBe(405);
    }
  });

  it('answers a path parameter that is not a snowflake with 50035 NUMBER_TYPE_COERCE', async () => {
    const res = await t.call('alice', 'GET', '/api/v10/channels/abc/messages');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: { channel_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value "abc" is not snowflake.' }] } },
    });
    const huge = await t.call('alice', 'GET', `/api/v10/guilds/${'9'.repeat(30)}`);
    expect(huge.json().code).toBe(50035);
  });

  it('answers bad query parameters with 50035', async () => {
    const guild = await t.call('alice', 'POST', '/api/v10/guilds', { name: 'Query' });
    const id = guild.json().id;
    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'after=xyz', 'limit=1e3']) {
      const res = await t.call('alice', 'GET', `/api/v10/guilds/${id}/members?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code, query).toBe(50035);
    }
  });

  it('answers OPTIONS preflights 204 with CORS headers', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/api/v10/channels/1/messages' });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-headers']).toContain('X-Audit-Log-Reason');
    expect(res.headers['access-control-expose-headers']).toContain('X-RateLimit-Bucket');
  });
});

describe('mounting', () => {
  it('mounts with createRestPlugin(options) beside the integrator’s own routes, which keep their own formats', async () => {
    const { Community } = await import('@concord/guilds');
    const { createInMemoryStore } = await import('@concord/storage-adapters');
    const { createInMemoryEntityStore } = await import('@concord/storage-adapters/entities');
    const { default: Fastify } = await import('fastify');
    const { createRestPlugin } = await import('../src/createRestPlugin.js');
    const community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
    const app = Fastify();
    app.get('/health', async () => ({ ok: true }));
    app.post('/echo', async (request) => request.body);
    await app.register(createRestPlugin({ community, authenticate: () => null }), { prefix: '/discord' });
    const api = await app.inject({ url: '/discord/v10/users/@me' });
    const health = await app.inject({ url: '/health' });
    const echo = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    const outside = await app.inject({ url: '/nothing' });
    await app.close();
    await community.close();
    expect(api.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    expect(health.json()).toEqual({ ok: true });
    expect(echo.json()).toEqual({ a: 1 });
    // Fastify's own 404 outside the plugin's prefix: the plugin leaves the rest of the server alone.
    expect(outside.json().statusCode).toBe(404);
  });
});

describe('bodies', () => {
  it('answers invalid JSON with 50109', async () => {
    for (const payload of ['{', '{"name": }', Buffer.from([0x7b, 0xff, 0x7d])]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v10/guilds',
        headers: { authorization: 'alice', 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 50109, message: 'The request body contains invalid JSON.' });
    }
  });

  it('refuses a body of another media type with 50035 CONTENT_TYPE_INVALID', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v10/guilds',
      headers: { authorization: 'alice', 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(50035);
    expect(res.json().errors._errors[0].code).toBe('CONTENT_TYPE_INVALID');
  });

  it('answers a body over the limit 413 / 40005 and closes the connection', async () => {
    const res = await t.call('alice', 'POST', '/api/v10/guilds', { name: 'x'.repeat(300 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 40005, message: 'Request entity too large' });
  });

  it('keeps ids sent as JSON numbers beyond 2^53 exact', async () => {
    const bob = t.user('bob');
    await t.call('bob', 'GET', '/api/v10/users/@me');
    const res = await t.call('alice', 'POST', '/api/v10/users/@me/channels', `{"recipient_id": ${bob.id}}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().recipients[0].id).toBe(bob.id);
  });

  it('drops `__proto__` keys', async () => {
    const res = await t.call('alice', 'POST', '/api/v10/guilds', '{"name":"Proto","__proto__":{"polluted":true}}');
    expect(res.statusCode).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('errors', () => {
  it('answers an unexpected error 500 without its message, and tells onInternalError', async () => {
    const logged: unknown[] = [];
    const broken = await createTestApp({ onInternalError: (error) => logged.push(error) });
    broken.community.users.me = () => Promise.reject(new Error('secret database detail'));
    const res = await broken.call('alice', 'GET', '/api/v10/users/@me');
    await broken.close();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 0, message: '500: Internal Server Error' });
    expect(res.body).not.toContain('secret');
    expect(logged).toHaveLength(1);
  });

  it('maps the services’ errors by code', async () => {
    const unknown = await t.call('alice', 'GET', '/api/v10/guilds/1');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ code: 10004, message: 'Unknown Guild' });
    const invalid = await t.call('alice', 'POST', '/api/v10/guilds', { name: 'x' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe(50035);
    expect(invalid.json().errors.name._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
  });

  it('maps a storage INVALID_ARGUMENT to 400 / 50035 without storage’s wording', async () => {
    const broken = await createTestApp();
    broken.community.users.me = () =>
      Promise.reject(Object.assign(new Error('key too long: internal detail'), { code: 'INVALID_ARGUMENT' }));
    const res = await broken.call('alice', 'GET', '/api/v10/users/@me');
    await broken.close();
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(50035);
    expect(res.body).not.toContain('internal detail');
  });
});
