import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGuildCreate } from '../src/buildGuildCreate.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { serializeReady } from '../src/serialize/serializeReady.js';
import { IdentifyPayloads } from '../src/session/IdentifyPayloads.js';
import { type Rebuildable, ReplayBuffer } from '../src/session/ReplayBuffer.js';
import { Session } from '../src/session/Session.js';
import type { GuildSnapshot } from '../src/types.js';
import {
  connect,
  GUILD_A,
  GUILD_B,
  GUILD_PRESENCES,
  guild,
  member,
  startServer,
  type TestClient,
  user,
} from './helpers.js';

// A session's READY and GUILD_CREATEs are kept, until the client's first heartbeat, as one descriptor of what made
// them (src/session/IdentifyPayloads.ts): what a Resume from seq 0 replays must be what was sent.

const json = getEncoding('json');

function session(userId = '1', largeThreshold = 50): Session {
  return new Session({
    sessionId: `session${userId}`,
    auth: { user: user(userId) },
    intents: GUILD_PRESENCES,
    shard: [0, 1],
    largeThreshold,
    replayBufferSize: 100,
  });
}

const small = guild(GUILD_A, ['1', '2', '3']);
const large: GuildSnapshot = guild(GUILD_B, ['1', '2'], { member_count: 5000 });
const ownLarge = [member('1')];
const ownPresence = [{ user: { id: '1' }, status: 'online' as const, activities: [] }];

function payloads(s: Session, withShard = false): IdentifyPayloads {
  return new IdentifyPayloads(s, {
    v: 10,
    resumeGatewayUrl: `ws://${'127.0.0.1'}:1234`,
    withShard,
    guilds: [small, null, large],
    largeMembers: [undefined, undefined, ownLarge],
    largePresences: [undefined, undefined, ownPresence],
  });
}

const bytes = (d: PreparedDispatch, seq: number) => d.frame(json, true, seq).toString();

describe('IdentifyPayloads', () => {
  it('rebuilds READY and each found guild’s GUILD_CREATE as the builders they replace made them, byte for byte', () => {
    for (const withShard of [false, true]) {
      const s = session();
      const p = payloads(s, withShard);
      expect(p.count).toBe(3);
      const ready = PreparedDispatch.forOne(
        'READY',
        serializeReady({
          v: 10,
          user: s.user,
          guildIds: [GUILD_A, GUILD_B],
          sessionId: s.sessionId,
          resumeGatewayUrl: 'ws://127.0.0.1:1234',
          ...(withShard ? { shard: s.shard } : {}),
          application: s.application,
        }),
      );
      expect(bytes(p.rebuild(1), 1)).toBe(bytes(ready, 1));
      const smallCreate = PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(small, s));
      expect(bytes(p.rebuild(2), 2)).toBe(bytes(smallCreate, 2));
      const largeCreate = PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(large, s, ownLarge, ownPresence));
      expect(bytes(p.rebuild(3), 3)).toBe(bytes(largeCreate, 3));
      expect(JSON.parse(bytes(p.rebuild(3), 3)).d).toMatchObject({ large: true, member_count: 5000 });
      // Built again (a Resume), the same bytes.
      for (const seq of [1, 2, 3]) expect(bytes(p.rebuild(seq), seq)).toBe(bytes(p.rebuild(seq), seq));
    }
  });

  it('with one guild (kept without the per-guild arrays) rebuilds the same payloads', () => {
    const s = session();
    const one = new IdentifyPayloads(s, {
      v: 9,
      resumeGatewayUrl: 'ws://127.0.0.1:1234',
      withShard: false,
      guilds: [large],
      largeMembers: [ownLarge],
      largePresences: [ownPresence],
    });
    expect(one.count).toBe(2);
    expect(JSON.parse(bytes(one.rebuild(1), 1)).d.guilds).toEqual([{ id: GUILD_B, unavailable: true }]);
    const largeCreate = PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(large, s, ownLarge, ownPresence));
    expect(bytes(one.rebuild(2), 2)).toBe(bytes(largeCreate, 2));
    const none = new IdentifyPayloads(session('2'), {
      v: 10,
      resumeGatewayUrl: 'ws://127.0.0.1:1234',
      withShard: false,
      guilds: [null],
      largeMembers: [undefined],
      largePresences: [undefined],
    });
    expect(none.count).toBe(1);
    expect(JSON.parse(bytes(none.rebuild(1), 1)).d.guilds).toEqual([]);
    expect(() => none.rebuild(2)).toThrow(RangeError);
  });

  it('numbers from the seq the session sends next, and knows no other seq', () => {
    const s = session();
    s.seq = 4;
    const p = payloads(s);
    expect(p.rebuild(5).event).toBe('READY');
    expect(p.rebuild(6).event).toBe('GUILD_CREATE');
    expect(p.rebuild(7).event).toBe('GUILD_CREATE');
    expect(() => p.rebuild(4)).toThrow(RangeError);
    expect(() => p.rebuild(8)).toThrow(RangeError);
  });

  it('sent through the session, is what its replay buffer gives back', () => {
    const s = session();
    const p = payloads(s);
    const sent: [number, string][] = [];
    s.connection = {
      sendDispatch: (d: PreparedDispatch, _full: boolean, seq: number) => void sent.push([seq, bytes(d, seq)]),
    } as unknown as Session['connection'];
    for (let n = p.count; n > 0; n--) s.sendRebuildable(p, true);
    const replayed = s.replay.since(0)!.map((e) => [e.seq, bytes(e.dispatch, e.seq)]);
    expect(replayed).toEqual(sent);
    expect(sent.map(([seq]) => seq)).toEqual([1, 2, 3]);
  });
});

describe('replay buffer with rebuildable entries', () => {
  it('gives each entry at its seq, built again from its descriptor or as kept, and keeps `full`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 40 }),
        fc.integer({ min: 0, max: 45 }),
        (cap, kinds, after) => {
          const buffer = new ReplayBuffer(cap);
          const rebuilt: Rebuildable = { rebuild: (seq) => new PreparedDispatch('R', { seq }) };
          kinds.forEach(([rebuildable, full], i) => {
            const seq = i + 1;
            if (rebuildable) buffer.pushRebuildable(seq, rebuilt, full);
            else buffer.push(seq, new PreparedDispatch('D', { seq }), full);
          });
          const n = kinds.length;
          const got = buffer.since(after);
          if (after >= n) expect(got).toEqual([]);
          else if (after + 1 < Math.max(1, n - cap + 1)) expect(got).toBeNull();
          else {
            expect(
              got!.map((e) => [e.seq, e.dispatch.event, (e.dispatch.data as { seq: number }).seq, e.full]),
            ).toEqual(
              kinds
                .slice(after)
                .map(([rebuildable, full], i) => [after + 1 + i, rebuildable ? 'R' : 'D', after + 1 + i, full]),
            );
          }
        },
      ),
    );
  });
});

describe('Resume from seq 0', () => {
  let server: GatewayServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await server?.close();
    server = undefined;
  });

  it('replays READY and every GUILD_CREATE as first sent (before the first heartbeat acknowledges them)', async () => {
    server = await startServer();
    const c = await connect(server);
    clients.push(c);
    await c.next((p) => p.op === 10);
    c.identify('1', { shard: [0, 1] });
    const ready = await c.dispatch('READY');
    await c.next((p) => p.s === 3);
    const first = c.received.filter((p) => p.op === 0).map((p) => JSON.stringify([p.s, p.t, p.d]));
    expect(first).toHaveLength(3);
    c.ws.terminate();
    await c.closed;

    const r = await connect(server);
    clients.push(r);
    await r.next((p) => p.op === 10);
    r.send({ op: 6, d: { token: 'Bot token-1', session_id: ready.d.session_id, seq: 0 } });
    await r.dispatch('RESUMED');
    const replayed = r.received
      .filter((p) => p.op === 0 && p.t !== 'RESUMED')
      .map((p) => JSON.stringify([p.s, p.t, p.d]));
    expect(replayed).toEqual(first);
  });
});
