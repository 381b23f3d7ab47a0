// Issue #12 items 2 and 3: client-supplied presences are validated and rebuilt from known fields only, an encoding
// failure for one recipient never stops the others nor escapes a handler, and a user's presence goes when their last
// session ends.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { validatePresence } from '../src/validatePresence.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  delay,
  GUILD_A,
  GUILD_PRESENCES,
  guild,
  type Payload,
  startServer,
  type TestClient,
} from './helpers.js';

let server: GatewayServer | undefined;
const clients: TestClient[] = [];
const WATCH = { intents: ALL_NON_PRIVILEGED | GUILD_PRESENCES };
// Activities others receive carry an id and a creation time, as on Discord (src/serialize/serializePresence.ts).
const STAMPED = { id: expect.any(String), created_at: expect.any(Number) };

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function client(query?: string): Promise<TestClient> {
  const c = await connect(server!, query);
  clients.push(c);
  return c;
}

/** One guild with users 1..5, the first its owner. */
function directory(): InMemoryDirectory {
  return new InMemoryDirectory().addGuild(guild(GUILD_A, ['1', '2', '3', '4', '5']));
}

function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function nestedArrays(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const presence = (extra: Record<string, unknown> = {}) => ({
  since: null,
  activities: [{ name: 'chess', type: 0 }],
  status: 'online',
  afk: false,
  ...extra,
});

const fromUser = (userId: string, status?: string) => (p: Payload) =>
  p.t === 'PRESENCE_UPDATE' && p.d.user.id === userId && (status === undefined || p.d.status === status);

describe('op 3 presence: poisoned payloads', () => {
  it('a presence nested 300 deep: the sender gets 4002, JSON/ETF/msgpack watchers and lazy lists keep working', async () => {
    server = await startServer({ directory: directory() });
    const json = await client();
    const etf = await client('v=10&encoding=etf');
    const msgpack = await client('v=10&encoding=msgpack');
    const sender = await client();
    await json.ready('1', WATCH);
    await etf.ready('2', WATCH);
    await msgpack.ready('3', WATCH);
    await sender.ready('4');
    // A lazy member list watches the guild too (its presence hook runs in the same handler).
    for (const c of [json, etf, msgpack]) {
      c.send({ op: 14, d: { guild_id: GUILD_A, channels: { [`${GUILD_A}1`]: [[0, 99]] } } });
      await c.dispatch('GUILD_MEMBER_LIST_UPDATE');
    }

    sender.sendRaw(
      JSON.stringify({
        op: 3,
        d: presence({ activities: [{ name: 'poison', type: 0, extra: nestedArrays(300), details: nested(300) }] }),
      }),
    );
    expect((await sender.closed).code).toBe(4002);

    // Everyone else still gets what follows, in every encoding.
    const other = await client();
    await other.ready('5');
    other.send({ op: 3, d: presence({ status: 'idle' }) });
    for (const c of [json, etf, msgpack]) {
      const update = await c.next(fromUser('5', 'idle'));
      expect(update.d.activities).toEqual([{ name: 'chess', type: 0, ...STAMPED }]);
      await c.next((p) => p.t === 'GUILD_MEMBER_LIST_UPDATE' && JSON.stringify(p.d).includes('"5"'));
    }
    // The poisoned presence never reached anyone.
    for (const c of [json, etf, msgpack]) expect(c.received.some(fromUser('4'))).toBe(false);
  });

  it('the same validation applies to the presence of an Identify (4002, no READY)', async () => {
    server = await startServer({ directory: directory() });
    const c = await client();
    await c.next((p) => p.op === 10);
    // 20 deep under an unknown key: every decoder takes it, so the presence rules themselves must refuse it.
    c.identify('4', { presence: presence({ activities: [{ name: 'x', type: 0, extra: nested(20) }] }) });
    expect((await c.closed).code).toBe(4002);
    expect(c.received.some((p) => p.t === 'READY')).toBe(false);
  });

  it.each([
    ['an unknown status', { status: 'busy' }],
    ['a missing status', { status: undefined }],
    ['activities that are not an array', { activities: { name: 'x', type: 0 } }],
    ['an activity that is not an object', { activities: ['chess'] }],
    ['an activity without a name', { activities: [{ type: 0 }] }],
    ['a name over 128 characters', { activities: [{ name: 'n'.repeat(129), type: 0 }] }],
    ['an activity type outside 0..6', { activities: [{ name: 'x', type: 7 }] }],
    ['a fractional activity type', { activities: [{ name: 'x', type: 1.5 }] }],
    ['a url over 512 characters', { activities: [{ name: 'x', type: 1, url: `https://${'u'.repeat(510)}` }] }],
    ['a state over 128 characters', { activities: [{ name: 'x', type: 4, state: 's'.repeat(129) }] }],
    ['a details object', { activities: [{ name: 'x', type: 0, details: { a: 1 } }] }],
    // Deeper than the schema, yet shallow enough for every decoder: refused by the presence rules themselves.
    ['nesting beyond the schema under an unknown key', { activities: [{ name: 'x', type: 0, extra: nested(20) }] }],
    ['too many activities', { activities: Array.from({ length: 6 }, () => ({ name: 'x', type: 0 })) }],
    ['afk that is not a boolean', { afk: 'yes' }],
  ])('closes with 4002 for %s', async (_what, extra) => {
    server = await startServer({ directory: directory() });
    const c = await client();
    await c.ready('2');
    c.send({ op: 3, d: presence(extra) });
    expect((await c.closed).code).toBe(4002);
  });

  it.each([
    ['text', 'yesterday', null],
    // serenity 0.12 serializes a SystemTime: Discord ignores it, and so must we (it used to close with 4002).
    ['an object (serenity)', { secs_since_epoch: 1_700_000_000, nanos_since_epoch: 0 }, null],
    // JDA over ETF: a timestamp above 2^31 is a big integer, which our ETF decoder gives as a decimal string.
    ['a big integer from ETF (JDA)', '1700000000000', 1_700_000_000_000],
  ])('is as liberal as Discord with a since that is %s', async (_what, since, kept) => {
    server = await startServer({ directory: directory() });
    const watcher = await client();
    const c = await client();
    await watcher.ready('1', WATCH);
    await c.ready('2');
    c.send({ op: 3, d: { since, activities: [], status: 'idle', afk: false } });
    const update = await watcher.next(fromUser('2', 'idle'));
    expect(update.d.status).toBe('idle');
    const checked = validatePresence({ since, activities: [], status: 'idle', afk: false });
    expect(checked.ok && checked.presence.since).toBe(kept);
  });

  it('relays only known fields: "__proto__" and unknown keys never leave the server', async () => {
    server = await startServer({ directory: directory() });
    const watcher = await client();
    const raw: string[] = [];
    watcher.ws.on('message', (data: Buffer) => raw.push(data.toString('utf8')));
    const c = await client();
    await watcher.ready('1', WATCH);
    await c.ready('2');
    c.sendRaw(
      '{"op":3,"d":{"since":null,"afk":false,"status":"dnd","__proto__":{"polluted":1},"user":{"id":"1"},' +
        '"activities":[{"name":"chess","type":0,"__proto__":{"x":1},"constructor":{"prototype":{}},"secret":"s",' +
        '"state":"thinking","assets":{"large_text":"board","__proto__":{"y":1},"other":2}}]}}',
    );
    const update = await watcher.next(fromUser('2', 'dnd'));
    expect(update.d.activities).toEqual([
      { name: 'chess', type: 0, state: 'thinking', assets: { large_text: 'board' }, ...STAMPED },
    ]);
    // The client cannot speak for someone else either.
    expect(update.d.user).toEqual({ id: '2' });
    const text = raw.find((r) => r.includes('PRESENCE_UPDATE'))!;
    expect(text).not.toContain('__proto__');
    expect(text).not.toContain('constructor');
    expect(text).not.toContain('secret');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A later GUILD_CREATE shows the same clean presence.
    const late = await client();
    await late.ready('3', WATCH);
    const created = await late.dispatch('GUILD_CREATE');
    const shown = created.d.presences.find((p: { user: { id: string } }) => p.user.id === '2');
    expect(shown.activities).toEqual(update.d.activities);
  });

  it('accepts the fields official clients and bots send, at their limits', async () => {
    server = await startServer({ directory: directory() });
    const watcher = await client();
    const c = await client();
    await watcher.ready('1', WATCH);
    await c.ready('2');
    const activities = [
      { name: 'n'.repeat(128), type: 1, url: `https://${'u'.repeat(504)}`, state: null, details: 'd'.repeat(128) },
      { name: 'Custom Status', type: 4, state: 's'.repeat(128), emoji: { name: '🎲', id: null, animated: false } },
      {
        name: 'game',
        type: 0,
        application_id: '123456789012345678',
        timestamps: { start: 1_700_000_000_000 },
        party: { id: 'p1', size: [1, 4] },
        assets: { large_image: 'mp:x', large_text: 'big', small_image: 'y', small_text: 'small' },
        buttons: ['Watch', 'Join'],
        instance: false,
        flags: 0,
      },
    ];
    c.send({ op: 3, d: { since: 1_700_000_000_000, activities, status: 'idle', afk: true } });
    const update = await watcher.next(fromUser('2', 'idle'));
    expect(update.d.activities).toEqual(activities.map((a) => ({ ...a, ...STAMPED })));
  });
});

describe('encoding failures stay with their recipient', () => {
  it('a dispatch some encodings cannot carry reaches the sessions that can, and the next one reaches everyone', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => errors.push(message) };
    server = await startServer({ directory: directory(), logger });
    const json = await client();
    const etf = await client('v=10&encoding=etf');
    const msgpack = await client('v=10&encoding=msgpack');
    const msgpack2 = await client('v=10&encoding=msgpack');
    await json.ready('1');
    await etf.ready('2');
    await msgpack.ready('3');
    await msgpack2.ready('4');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // A function: JSON leaves it out, ETF and MessagePack refuse it; a cycle: nobody can encode it.
    expect(() =>
      server!.dispatchRaw('DEEP', { v: 1, f: () => 1 }, { type: 'guild', guildId: GUILD_A }, { intent: null }),
    ).not.toThrow();
    expect(() =>
      server!.dispatchRaw('CYCLIC', cyclic, { type: 'guild', guildId: GUILD_A }, { intent: null }),
    ).not.toThrow();
    server.dispatchToGuild(GUILD_A, 'AFTER', { ok: true }, { intent: null });
    const after = await Promise.all([json, etf, msgpack, msgpack2].map((c) => c.dispatch('AFTER')));
    for (const p of after) expect(p.d).toEqual({ ok: true });
    expect(json.received.some((p) => p.t === 'DEEP')).toBe(true);
    for (const c of [etf, msgpack, msgpack2]) expect(c.received.some((p) => p.t === 'DEEP')).toBe(false);
    for (const c of [json, etf, msgpack, msgpack2]) expect(c.received.some((p) => p.t === 'CYCLIC')).toBe(false);
    // Sessions stay up, and a failed encoding is logged once per dispatch and encoding, not once per recipient.
    expect(server.sessionCount).toBe(4);
    expect(errors.filter((e) => e.includes('encode'))).toHaveLength(5);
  });

  it('a Resume replays around an entry its encoding cannot carry', async () => {
    server = await startServer({ directory: directory() });
    const c = await client('v=10&encoding=msgpack');
    const ready = await c.ready('1');
    await c.dispatch('GUILD_CREATE');
    server.dispatchRaw('DEEP', { v: nested(300), f: () => 1 }, { type: 'guild', guildId: GUILD_A }, { intent: null });
    server.dispatchToGuild(GUILD_A, 'AFTER', { n: 1 }, { intent: null });
    const seq = (await c.dispatch('AFTER')).s! - 2;
    c.ws.terminate();
    await c.closed;
    await delay(20);
    const again = await client('v=10&encoding=msgpack');
    await again.next((p) => p.op === 10);
    again.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq } });
    await again.dispatch('RESUMED');
    expect(again.received.filter((p) => p.op === 0).map((p) => p.t)).toEqual(['AFTER', 'RESUMED']);
  });
});

describe('presence after the last session', () => {
  it('is cleared: a later GUILD_CREATE does not show a user who left', async () => {
    server = await startServer({ directory: directory() });
    const watcher = await client();
    const c = await client();
    await watcher.ready('1', WATCH);
    await c.ready('2');
    c.send({ op: 3, d: presence({ status: 'dnd' }) });
    await watcher.next(fromUser('2', 'dnd'));
    await c.close(1000);
    await watcher.next(fromUser('2', 'offline'));
    const late = await client();
    await late.ready('3', WATCH);
    const created = await late.dispatch('GUILD_CREATE');
    expect(created.d.presences.map((p: { user: { id: string } }) => p.user.id)).not.toContain('2');
  });

  it('is kept while another session of the user lives, and cleared when that one ends too', async () => {
    server = await startServer({ directory: directory() });
    const watcher = await client();
    const first = await client();
    const second = await client();
    await watcher.ready('1', WATCH);
    await first.ready('2');
    await second.ready('2');
    first.send({ op: 3, d: presence({ status: 'dnd' }) });
    await watcher.next(fromUser('2', 'dnd'));
    await first.close(1000);
    await delay(50);
    expect(watcher.received.some(fromUser('2', 'offline'))).toBe(false);
    await second.close(1000);
    await watcher.next(fromUser('2', 'offline'));
    const late = await client();
    await late.ready('3', WATCH);
    const created = await late.dispatch('GUILD_CREATE');
    expect(created.d.presences.map((p: { user: { id: string } }) => p.user.id)).not.toContain('2');
  });
});
