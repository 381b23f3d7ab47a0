import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createInMemoryAssignmentStore,
  createVoiceNodeAllocator,
  decodeVoiceNodeStatus,
  INITIAL_HEALTH,
  type NodeHealth,
  nextHealth,
  type PlacementNode,
  placeChannel,
  signVoiceToken,
  type VoiceChannelMove,
  VoiceClusterError,
  type VoiceNodeStatus,
  verifyVoiceToken,
} from '../src/cluster/index.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `guild${i % 97}:channel${i}`);
const idle = (id: string, region: string | null = null, load = 0): PlacementNode => ({ id, region, load });

describe('placeChannel: rendezvous hashing with load and region', () => {
  it('spreads channels evenly and moves only ~1/N of them (all to the new node) when a node is added', () => {
    const four = ['a', 'b', 'c', 'd'].map((id) => idle(id));
    const five = [...four, idle('e')];
    const all = keys(6000);
    const counts = new Map<string, number>();
    let moved = 0;
    for (const key of all) {
      const before = placeChannel(key, four)!.id;
      const after = placeChannel(key, five)!.id;
      counts.set(before, (counts.get(before) ?? 0) + 1);
      if (before !== after) {
        moved++;
        expect(after).toBe('e');
      }
    }
    // Expected 1/5 of the keys; binomial σ ≈ 0.5 %, so ±3 % is far outside chance.
    expect(moved / all.length).toBeGreaterThan(0.17);
    expect(moved / all.length).toBeLessThan(0.23);
    for (const n of counts.values()) expect(Math.abs(n - 1500)).toBeLessThan(150);
  });

  it('removing a node moves only its own channels', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => idle(id));
    const without = nodes.filter((n) => n.id !== 'c');
    for (const key of keys(2000)) {
      const before = placeChannel(key, nodes)!.id;
      if (before !== 'c') expect(placeChannel(key, without)!.id).toBe(before);
    }
  });

  it('gives a node of weight 2 about twice the channels', () => {
    const nodes: PlacementNode[] = [idle('a'), idle('b'), { ...idle('big'), weight: 2 }];
    let big = 0;
    for (const key of keys(8000)) if (placeChannel(key, nodes, { topK: 1 })!.id === 'big') big++;
    expect(big / 8000).toBeGreaterThan(0.45);
    expect(big / 8000).toBeLessThan(0.55);
  });

  it('is deterministic and ignores small load differences (within tolerance the hash order decides)', () => {
    const calm = ['a', 'b', 'c'].map((id) => idle(id));
    const jittery = calm.map((n, i) => ({ ...n, load: 0.02 * i }));
    for (const key of keys(500)) expect(placeChannel(key, jittery)!.id).toBe(placeChannel(key, calm)!.id);
  });

  it('skips overloaded nodes and takes the less loaded of the top-k candidates', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => idle(id));
    let overloaded = 0;
    let leastOfTwo = 0;
    for (const key of keys(500)) {
      const first = placeChannel(key, nodes, { topK: 1 })!.id;
      // The best-hashed node is over the threshold: never chosen.
      const hot = nodes.map((n) => (n.id === first ? { ...n, load: 0.9 } : n));
      expect(placeChannel(key, hot)!.id).not.toBe(first);
      overloaded++;
      // Busier than the runner-up by more than the tolerance: the runner-up wins (top-k = 2).
      const busy = nodes.map((n) => (n.id === first ? { ...n, load: 0.5 } : n));
      const chosen = placeChannel(key, busy)!.id;
      expect(chosen).not.toBe(first);
      const runnerUp = placeChannel(
        key,
        nodes.filter((n) => n.id !== first),
        { topK: 1 },
      )!.id;
      expect(chosen).toBe(runnerUp);
      leastOfTwo++;
      // With top-k = 1 load only matters past the threshold.
      expect(placeChannel(key, busy, { topK: 1 })!.id).toBe(first);
    }
    expect(overloaded + leastOfTwo).toBe(1000);
  });

  it('still places when every node is overloaded (least loaded of the top-k) and returns null for no nodes', () => {
    const nodes = [idle('a', null, 0.99), idle('b', null, 0.95), idle('c', null, 1.5)];
    for (const key of keys(200)) expect(placeChannel(key, nodes)).not.toBeNull();
    expect(placeChannel('g:c', [])).toBeNull();
  });

  it('prefers the requested region, falls back to other regions when it has no room', () => {
    const nodes = [idle('eu1', 'eu'), idle('eu2', 'eu'), idle('us1', 'us'), idle('us2', 'us'), idle('x', null)];
    for (const key of keys(300)) {
      expect(placeChannel(key, nodes, { region: 'eu' })!.region).toBe('eu');
      expect(placeChannel(key, nodes, { region: 'us' })!.region).toBe('us');
      const euFull = nodes.map((n) => (n.region === 'eu' ? { ...n, load: 0.95 } : n));
      expect(placeChannel(key, euFull, { region: 'eu' })!.region).not.toBe('eu');
      // An unknown region is no preference.
      expect(placeChannel(key, nodes, { region: 'mars' })!.id).toBe(placeChannel(key, nodes)!.id);
    }
  });
});

describe('nextHealth', () => {
  const t = { unhealthyAfter: 3, healthyAfter: 2 };
  const run = (steps: boolean[], from: NodeHealth = INITIAL_HEALTH) => {
    let health = from;
    return steps.map((ok) => {
      health = nextHealth(health, ok, t);
      return health.state;
    });
  };

  it('brings an unknown node up on its first answer, down after N misses in a row', () => {
    expect(run([true])).toEqual(['up']);
    expect(run([false, false, false])).toEqual(['unknown', 'unknown', 'down']);
    expect(run([true, false, false, false])).toEqual(['up', 'up', 'up', 'down']);
  });

  it('forgives isolated misses and needs healthyAfter answers to come back', () => {
    expect(run([true, false, false, true, false, false, true])).toEqual(['up', 'up', 'up', 'up', 'up', 'up', 'up']);
    expect(run([true, false, false, false, true, false, true, true])).toEqual([
      'up',
      'up',
      'up',
      'down',
      'down',
      'down',
      'down',
      'up',
    ]);
  });

  it('never reports a node up after unhealthyAfter misses, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), (history) => {
        const states = run([...history, false, false, false]);
        expect(states.at(-1)).toBe('down');
      }),
    );
  });
});

const SECRET = 'test-secret';
const claims = {
  guildId: '1001',
  channelId: '2002',
  userId: '3003',
  sessionId: 'abcdef0123456789',
  nodeId: 'voice-a',
  expiresAt: Date.now() + 60_000,
};

describe('voice tokens', () => {
  it('round-trips and is bound to the secret and expiry', () => {
    const token = signVoiceToken(SECRET, claims);
    expect(token.length).toBeLessThanOrEqual(512);
    expect(verifyVoiceToken(SECRET, token)).toEqual(claims);
    expect(() => verifyVoiceToken('other', token)).toThrowError(expect.objectContaining({ code: 'BAD_TOKEN' }));
    expect(() => verifyVoiceToken(SECRET, token, claims.expiresAt)).toThrowError(
      expect.objectContaining({ code: 'TOKEN_EXPIRED' }),
    );
  });

  it('refuses every altered token', () => {
    const token = signVoiceToken(SECRET, claims);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (at, c) => {
        fc.pre(token[at] !== c);
        const forged = token.slice(0, at) + c + token.slice(at + 1);
        expect(() => verifyVoiceToken(SECRET, forged)).toThrow(VoiceClusterError);
      }),
      { numRuns: 500 },
    );
  });

  it('garbage gives a typed error, never a crash', () => {
    const token = signVoiceToken(SECRET, claims);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string({ maxLength: 700 }),
          fc.nat({ max: token.length }).map((n) => token.slice(0, n)),
          fc.string().map((s) => `${Buffer.from(s).toString('base64url')}.${'A'.repeat(43)}`),
        ),
        (input) => {
          try {
            verifyVoiceToken(SECRET, input);
            expect(input).toBe(token);
          } catch (error) {
            expect(error).toBeInstanceOf(VoiceClusterError);
            expect(['BAD_TOKEN', 'TOKEN_EXPIRED']).toContain((error as VoiceClusterError).code);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts only well-formed claims even when correctly signed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => {
        const body = Buffer.from(JSON.stringify(payload) ?? 'null').toString('base64url');
        const mac = createHmac('sha256', SECRET).update(body).digest('base64url');
        try {
          const c = verifyVoiceToken(SECRET, `${body}.${mac}`);
          expect(typeof c.channelId).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(VoiceClusterError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const status = (id: string, over: Partial<VoiceNodeStatus> = {}): VoiceNodeStatus => ({
  v: 1,
  id,
  instance: `${id}-1`,
  region: null,
  endpoint: `127.0.0.1:${1000 + ([...id].reduce((sum, ch) => sum * 31 + ch.charCodeAt(0), 0) % 60_000)}`,
  channels: 0,
  sessions: 0,
  packetsPerSecond: 0,
  draining: false,
  ...over,
});

describe('decodeVoiceNodeStatus', () => {
  it('accepts a status as JSON text, bytes or value', () => {
    const s = status('voice-a', { region: 'eu-west', channels: 3, sessions: 7, packetsPerSecond: 350 });
    expect(decodeVoiceNodeStatus(JSON.stringify(s))).toEqual(s);
    expect(decodeVoiceNodeStatus(Buffer.from(JSON.stringify(s)))).toEqual(s);
    expect(decodeVoiceNodeStatus({ ...s, extra: 1 })).toEqual(s);
    expect(decodeVoiceNodeStatus({ ...s, endpoint: '[::1]:443' }).endpoint).toBe('[::1]:443');
  });

  it('random, truncated and mutated input gives BAD_STATUS, never a crash', () => {
    const valid = JSON.stringify(status('voice-a', { region: 'eu' }));
    const field = fc.constantFrom('v', 'id', 'instance', 'region', 'endpoint', 'channels', 'sessions', 'draining');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }),
          fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)),
          fc.tuple(field, fc.jsonValue()).map(([k, v]) => ({ ...JSON.parse(valid), [k]: v })),
          fc.string({ minLength: 5000, maxLength: 6000 }),
        ),
        (input) => {
          try {
            const decoded = decodeVoiceNodeStatus(input);
            expect(decoded.v).toBe(1);
            expect(Number.isFinite(decoded.channels)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(VoiceClusterError);
            expect((error as VoiceClusterError).code).toBe('BAD_STATUS');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** An allocator over fake nodes: `answers` decides what each URL's probe returns; probes run on `checkNow`. */
function fakeFleet(initial: Record<string, VoiceNodeStatus | null>, extra: Record<string, unknown> = {}) {
  const answers = new Map(Object.entries(initial));
  const allocator = createVoiceNodeAllocator({
    nodes: [...answers.keys()],
    secret: SECRET,
    healthCheckIntervalMs: 3_600_000,
    retryAfterMissMs: 3_600_000,
    unhealthyAfter: 2,
    healthyAfter: 2,
    probe: async (url) => {
      const answer = answers.get(url);
      if (!answer) throw new VoiceClusterError('PROBE_FAILED', 'refused');
      return answer;
    },
    ...extra,
  });
  const moves: VoiceChannelMove[] = [];
  allocator.onMove((m) => moves.push(m));
  return { allocator, answers, moves };
}

const join = (guildId: string, channelId: string, userId: string) => ({
  guildId,
  channelId,
  userId,
  sessionId: `s${userId}`,
});

describe('createVoiceNodeAllocator', () => {
  it('puts every member of a channel on one node, with tokens that node accepts', async () => {
    const { allocator } = fakeFleet({ a: status('a'), b: status('b'), c: status('c') });
    await allocator.ready();
    for (let ch = 0; ch < 20; ch++) {
      const endpoints = new Set<string | null>();
      for (let u = 0; u < 5; u++) {
        const { token, endpoint } = await allocator.allocate(join('g', `c${ch}`, `${u}`));
        endpoints.add(endpoint);
        const c = verifyVoiceToken(SECRET, token);
        expect(c).toMatchObject({
          guildId: 'g',
          channelId: `c${ch}`,
          userId: `${u}`,
          nodeId: allocator.nodeOf('g', `c${ch}`),
        });
      }
      expect(endpoints.size).toBe(1);
    }
    expect(new Set(allocator.nodes().map((n) => n.assigned)).size).toBeGreaterThan(0);
    allocator.close();
  });

  it('keeps a channel on a node that missed a probe, moves it when the node is down, and tells who was there', async () => {
    const { allocator, answers, moves } = fakeFleet({ a: status('a'), b: status('b') });
    await allocator.ready();
    await allocator.allocate(join('g', 'c', '1'));
    await allocator.allocate(join('g', 'c', '2'));
    const first = allocator.nodeOf('g', 'c')!;
    const firstUrl = first;
    const down: string[] = [];
    allocator.on('nodeDown', (n) => down.push(n.id!));
    answers.set(firstUrl, null);
    await allocator.checkNow(); // one miss: suspect, still sticky
    expect((await allocator.allocate(join('g', 'c', '3'))).endpoint).toBe(status(first).endpoint);
    expect(moves).toEqual([]);
    await allocator.checkNow(); // second miss: down
    expect(down).toEqual([first]);
    const other = first === 'a' ? 'b' : 'a';
    expect(moves).toEqual([
      {
        guildId: 'g',
        channelId: 'c',
        from: first,
        to: other,
        endpoint: status(other).endpoint,
        reason: 'node-down',
        members: [
          { userId: '1', sessionId: 's1' },
          { userId: '2', sessionId: 's2' },
          { userId: '3', sessionId: 's3' },
        ],
      },
    ]);
    const again = await allocator.allocate(join('g', 'c', '1'));
    expect(again.endpoint).toBe(status(other).endpoint);
    expect(verifyVoiceToken(SECRET, again.token).nodeId).toBe(other);
    // The node comes back: channels stay where they are now (sticky), new ones may go there again.
    answers.set(firstUrl, status(first));
    await allocator.checkNow();
    await allocator.checkNow();
    expect(allocator.nodes().find((n) => n.url === firstUrl)?.state).toBe('up');
    expect(allocator.nodeOf('g', 'c')).toBe(other);
    allocator.close();
  });

  it('moves the channels of a node that restarted between probes (new instance)', async () => {
    const { allocator, answers, moves } = fakeFleet({ a: status('a') });
    await allocator.ready();
    await allocator.allocate(join('g', 'c', '1'));
    answers.set('a', status('a', { instance: 'a-2' }));
    await allocator.checkNow();
    expect(moves).toMatchObject([{ from: 'a', to: 'a', reason: 'node-restarted', members: [{ userId: '1' }] }]);
    allocator.close();
  });

  it('answers endpoint null when no node is up, then moves the waiting channels to the first node up', async () => {
    const { allocator, answers, moves } = fakeFleet({ a: null });
    await allocator.ready();
    expect(await allocator.allocate(join('g', 'c', '1'))).toEqual({ token: '', endpoint: null });
    answers.set('a', status('a'));
    await allocator.checkNow();
    await allocator.checkNow();
    expect(moves).toMatchObject([{ channelId: 'c', from: null, to: 'a', reason: 'node-up' }]);
    expect((await allocator.allocate(join('g', 'c', '1'))).endpoint).toBe(status('a').endpoint);
    allocator.close();
  });

  it('follows the region hint, skips draining and full nodes', async () => {
    const { allocator } = fakeFleet(
      {
        eu: status('eu', { region: 'eu' }),
        us: status('us', { region: 'us' }),
        drain: status('drain', { region: 'eu', draining: true }),
        full: status('full', { region: 'eu', channels: 500 }),
      },
      { regionOf: (r: { channelId: string }) => (r.channelId.startsWith('eu') ? 'eu' : 'us') },
    );
    await allocator.ready();
    for (let i = 0; i < 30; i++) {
      await allocator.allocate(join('g', `eu${i}`, '1'));
      await allocator.allocate(join('g', `us${i}`, '2'));
      expect(allocator.nodeOf('g', `eu${i}`)).toBe('eu');
      expect(allocator.nodeOf('g', `us${i}`)).toBe('us');
    }
    allocator.close();
  });

  it('spreads a burst of new channels by counting its own placements before the next report', async () => {
    const { allocator } = fakeFleet({ a: status('a'), b: status('b') }, { capacity: { channels: 10 } });
    await allocator.ready();
    for (let i = 0; i < 16; i++) await allocator.allocate(join('g', `c${i}`, `${i}`));
    const assigned = allocator.nodes().map((n) => n.assigned);
    expect(Math.max(...assigned)).toBeLessThanOrEqual(9);
    allocator.close();
  });

  it('forgets a channel once its last member released; a user switching channel leaves the old one', async () => {
    const { allocator } = fakeFleet({ a: status('a'), b: status('b') });
    await allocator.ready();
    await allocator.allocate(join('g', 'c1', '1'));
    await allocator.allocate(join('g', 'c2', '1'));
    expect(allocator.nodeOf('g', 'c1')).toBeNull();
    // A stale release (older session) does nothing.
    allocator.release({ guildId: 'g', userId: '1', sessionId: 'old' });
    expect(allocator.nodeOf('g', 'c2')).not.toBeNull();
    allocator.release({ guildId: 'g', userId: '1', sessionId: 's1' });
    expect(allocator.nodeOf('g', 'c2')).toBeNull();
    expect(allocator.nodes().every((n) => n.assigned === 0)).toBe(true);
    allocator.close();
  });

  it('refuses options it cannot work with', () => {
    expect(() => createVoiceNodeAllocator({ secret: '', nodes: [] })).toThrow(VoiceClusterError);
    expect(() => createVoiceNodeAllocator({ secret: 's' })).toThrow(VoiceClusterError);
  });
});

describe('several allocators (one per gateway node) sharing an assignment store', () => {
  it('agree on the node of every channel even when their load views differ', async () => {
    const store = createInMemoryAssignmentStore();
    // Gateway 1 sees node a busy, gateway 2 sees node b busy: alone they would place differently.
    const g1 = fakeFleet({ a: status('a', { channels: 300 }), b: status('b') }, { store });
    const g2 = fakeFleet({ a: status('a'), b: status('b', { channels: 300 }) }, { store });
    await Promise.all([g1.allocator.ready(), g2.allocator.ready()]);
    for (let i = 0; i < 40; i++) {
      const first = i % 2 === 0 ? g1 : g2;
      const second = first === g1 ? g2 : g1;
      const x = await first.allocator.allocate(join('g', `c${i}`, '1'));
      const y = await second.allocator.allocate(join('g', `c${i}`, '2'));
      expect(y.endpoint).toBe(x.endpoint);
    }
    // Without the shared store they do disagree on some (the test above can fail).
    const lone1 = fakeFleet({ a: status('a', { channels: 300 }), b: status('b') });
    const lone2 = fakeFleet({ a: status('a'), b: status('b', { channels: 300 }) });
    await Promise.all([lone1.allocator.ready(), lone2.allocator.ready()]);
    let disagree = 0;
    for (let i = 0; i < 40; i++) {
      const x = await lone1.allocator.allocate(join('g', `c${i}`, '1'));
      const y = await lone2.allocator.allocate(join('g', `c${i}`, '2'));
      if (x.endpoint !== y.endpoint) disagree++;
    }
    expect(disagree).toBeGreaterThan(0);
    for (const f of [g1, g2, lone1, lone2]) f.allocator.close();
  });

  it('move a dead node channel to one survivor; an allocator that learns it from the store moves its members', async () => {
    const store = createInMemoryAssignmentStore();
    const fleet = { a: status('a'), b: status('b'), c: status('c') };
    const g1 = fakeFleet(fleet, { store });
    const g2 = fakeFleet(fleet, { store });
    await Promise.all([g1.allocator.ready(), g2.allocator.ready()]);
    await g1.allocator.allocate(join('g', 'c', '1'));
    await g2.allocator.allocate(join('g', 'c', '2'));
    await g2.allocator.allocate(join('g', 'c', '3'));
    const dead = g1.allocator.nodeOf('g', 'c')!;
    expect(g2.allocator.nodeOf('g', 'c')).toBe(dead);
    // Gateway 1 sees the node die first.
    g1.answers.set(dead, null);
    await g1.allocator.checkNow();
    await g1.allocator.checkNow();
    const survivor = g1.allocator.nodeOf('g', 'c')!;
    expect(survivor).not.toBe(dead);
    expect(g1.moves).toMatchObject([{ from: dead, to: survivor, reason: 'node-down' }]);
    // Gateway 2 still thinks the node is fine, but a join there reads the store: its members follow.
    await g2.allocator.allocate(join('g', 'c', '4'));
    expect(g2.allocator.nodeOf('g', 'c')).toBe(survivor);
    expect(g2.moves).toMatchObject([{ from: dead, to: survivor, reason: 'reassigned' }]);
    // When gateway 2 sees the death itself, it does not move the call again.
    g2.answers.set(dead, null);
    await g2.allocator.checkNow();
    await g2.allocator.checkNow();
    expect(g2.allocator.nodeOf('g', 'c')).toBe(survivor);
    expect(g2.moves).toHaveLength(1);
    g1.allocator.close();
    g2.allocator.close();
  });

  it('memory store: claim keeps the first, move is compare-and-set, entries expire', async () => {
    const store = createInMemoryAssignmentStore({ ttlMs: 50 });
    expect(store.claim('k', 'a')).toBe('a');
    expect(store.claim('k', 'b')).toBe('a');
    expect(store.move('k', 'b', 'c')).toBe('a');
    expect(store.move('k', 'a', 'c')).toBe('c');
    expect(store.move('k', 'c', null)).toBeNull();
    expect(store.get('k')).toBeNull();
    store.claim('k', 'a');
    await new Promise((r) => setTimeout(r, 80));
    expect(store.get('k')).toBeNull();
  });
});

describe('allocator bookkeeping under random joins, leaves, deaths and revivals', () => {
  it('keeps per-node counts equal to the channels it reports, and never leaves a channel on a down node', async () => {
    type Op =
      | { kind: 'join'; user: number; channel: number }
      | { kind: 'leave'; user: number }
      | { kind: 'kill' | 'revive'; node: number };
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('join' as const), user: fc.nat(11), channel: fc.nat(5) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), user: fc.nat(11) }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constantFrom('kill' as const, 'revive' as const), node: fc.nat(2) }),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops: Op[]) => {
        const ids = ['a', 'b', 'c'];
        const { allocator, answers } = fakeFleet({ a: status('a'), b: status('b'), c: status('c') });
        await allocator.ready();
        const where = new Map<number, number>(); // user → channel
        for (const o of ops) {
          if (o.kind === 'join') {
            await allocator.allocate(join('g', `c${o.channel}`, `${o.user}`));
            where.set(o.user, o.channel);
          } else if (o.kind === 'leave') {
            allocator.release({ guildId: 'g', userId: `${o.user}`, sessionId: `s${o.user}` });
            where.delete(o.user);
          } else {
            const id = ids[o.node]!;
            answers.set(id, o.kind === 'kill' ? null : status(id));
            await allocator.checkNow();
            await allocator.checkNow();
          }
        }
        const live = new Set(where.values());
        const perNode = new Map<string, number>();
        for (const ch of live) {
          const node = allocator.nodeOf('g', `c${ch}`);
          if (node !== null) perNode.set(node, (perNode.get(node) ?? 0) + 1);
        }
        for (const info of allocator.nodes()) {
          expect(info.assigned).toBe(perNode.get(info.id!) ?? 0);
          if (info.state === 'down') expect(info.assigned).toBe(0);
        }
        allocator.close();
      }),
      { numRuns: 150 },
    );
  });
});

describe('draining a voice node', () => {
  it('moves its calls while it still carries them, and keeps them when there is nowhere else', async () => {
    const { allocator, answers, moves } = fakeFleet({ a: status('a'), b: status('b') });
    await allocator.ready();
    for (let i = 0; i < 8; i++) await allocator.allocate(join('g', `c${i}`, `${i}`));
    const onA = Array.from({ length: 8 }, (_, i) => `c${i}`).filter((c) => allocator.nodeOf('g', c) === 'a');
    expect(onA.length).toBeGreaterThan(0);
    answers.set('a', status('a', { draining: true }));
    await allocator.checkNow();
    expect(moves.map((m) => m.channelId).sort()).toEqual([...onA].sort());
    expect(moves.every((m) => m.reason === 'node-draining' && m.from === 'a' && m.to === 'b')).toBe(true);
    expect(allocator.nodes().find((n) => n.id === 'a')?.assigned).toBe(0);
    // New channels avoid it too.
    await allocator.allocate(join('g', 'fresh', '99'));
    expect(allocator.nodeOf('g', 'fresh')).toBe('b');
    allocator.close();

    const lone = fakeFleet({ a: status('a') });
    await lone.allocator.ready();
    await lone.allocator.allocate(join('g', 'c', '1'));
    lone.answers.set('a', status('a', { draining: true }));
    await lone.allocator.checkNow();
    expect(lone.moves).toEqual([]);
    expect(lone.allocator.nodeOf('g', 'c')).toBe('a');
    lone.allocator.close();
  });
});
