import { performance } from 'node:perf_hooks';
import { openStorage } from '@concord/storage-adapters/open';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/createChatServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const LOBBY = '1200000000000000000';
const GENERAL = '1200000000000000001';
const NO_LIMIT = { limit: 1e9, windowMs: 1000 };

/** Strings a client could put in a query parameter: near-snowflakes, numbers in other spellings, noise. */
const param = fc.oneof(
  fc.stringMatching(/^\d{1,22}$/),
  fc.constantFrom(
    '0',
    '00',
    '01',
    '-1',
    '1e3',
    '0x10',
    ' 5',
    '5 ',
    '1.0',
    '18446744073709551615',
    '18446744073709551616',
  ),
  fc.string({ maxLength: 30 }),
);

// Query parameters are untrusted input too: every value is validated at the edge and refused with 50035 naming the
// parameter, instead of reaching storage (where a non-canonical id used to come back as an internal error text).
describe('REST query parameters', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await createChatServer({
      storage: await openStorage(':memory:'),
      port: 0,
      rateLimits: { read: NO_LIMIT, global: NO_LIMIT, invalidRequests: NO_LIMIT },
    });
    // The first request pays for JIT and lazy imports.
    await fetch(`${server.url}/api/v10/channels/${GENERAL}/messages`, { headers: { Authorization: 'query-fuzzer' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const get = async (path: string, query: Record<string, string>) => {
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v10${path}?${new URLSearchParams(query)}`, {
      headers: { Authorization: 'query-fuzzer' },
    });
    const body = (await res.json()) as Json;
    // An order of magnitude, on a busy 2-core machine: a query is answered in milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
    return { status: res.status, body };
  };

  const expectValidOrNamed = (result: { status: number; body: Json }, names: string[]) => {
    if (result.status === 200) return;
    expect(result.status).toBe(400);
    expect(result.body.code).toBe(50035);
    const fields = Object.keys(result.body.errors);
    expect(fields.length).toBe(1);
    expect(names).toContain(fields[0]);
  };

  it('GET /channels/:id/messages: limit, before, after, around', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ limit: param, before: param, after: param, around: param }, { requiredKeys: [] }),
        async (query) => {
          expectValidOrNamed(await get(`/channels/${GENERAL}/messages`, query), Object.keys(query));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('GET /guilds/:id/members: limit, after', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ limit: param, after: param }, { requiredKeys: [] }), async (query) => {
        expectValidOrNamed(await get(`/guilds/${LOBBY}/members`, query), Object.keys(query));
      }),
      { numRuns: 200 },
    );
  });

  it('ids in other spellings or out of range are refused, not passed on', async () => {
    for (const v of ['01', '18446744073709551616', '99999999999999999999']) {
      const r = await get(`/channels/${GENERAL}/messages`, { before: v });
      expect(r.status).toBe(400);
      expect(r.body.errors.before._errors[0].code).toBe('NUMBER_TYPE_COERCE');
    }
    for (const v of ['1e2', '0x10', ' 5', '5.0']) {
      const r = await get(`/guilds/${LOBBY}/members`, { limit: v });
      expect(r.status).toBe(400);
      expect(Object.keys(r.body.errors)).toEqual(['limit']);
    }
  });
});
