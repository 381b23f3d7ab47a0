import { randomBytes } from 'node:crypto';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRedisAssignmentStore,
  createVoiceNodeAllocator,
  VoiceClusterError,
  type VoiceNodeStatus,
} from '../src/cluster/index.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

/** A separate connection per "gateway node", as separate processes would have; a fresh prefix per test. */
function redisStore(prefix: string, ttlMs?: number) {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(redis);
  return createRedisAssignmentStore(redis, { prefix, ...(ttlMs ? { ttlMs } : {}) });
}

const status = (id: string, channels = 0): VoiceNodeStatus => ({
  v: 1,
  id,
  instance: `${id}-1`,
  region: null,
  endpoint: `${id}.voice.test:443`,
  channels,
  sessions: 0,
  packetsPerSecond: 0,
  draining: false,
});

describe.runIf(redisUp)('Redis assignment store', () => {
  it('claim keeps the first writer, move is compare-and-set, entries expire', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const [s1, s2] = [redisStore(prefix, 300), redisStore(prefix, 300)];
    expect(await s1.get('g:c')).toBeNull();
    expect(await s1.claim('g:c', 'a')).toBe('a');
    expect(await s2.claim('g:c', 'b')).toBe('a');
    expect(await s2.move('g:c', 'b', 'c')).toBe('a');
    expect(await s2.move('g:c', 'a', 'c')).toBe('c');
    expect(await s1.get('g:c')).toBe('c');
    expect(await s1.move('g:c', 'c', null)).toBeNull();
    expect(await s2.get('g:c')).toBeNull();
    await s1.claim('g:c', 'a');
    await new Promise((r) => setTimeout(r, 400));
    expect(await s1.get('g:c')).toBeNull();
  });

  it('two allocators with different load views place every channel on the same node, and move it once', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const views = [
      new Map<string, VoiceNodeStatus | null>([
        ['a', status('a', 300)],
        ['b', status('b')],
        ['c', status('c')],
      ]),
      new Map<string, VoiceNodeStatus | null>([
        ['a', status('a')],
        ['b', status('b', 300)],
        ['c', status('c', 300)],
      ]),
    ];
    const allocators = views.map((answers) =>
      createVoiceNodeAllocator({
        nodes: ['a', 'b', 'c'],
        secret: 's',
        store: redisStore(prefix),
        healthCheckIntervalMs: 3_600_000,
        retryAfterMissMs: 3_600_000,
        unhealthyAfter: 1,
        probe: async (url) => {
          const answer = answers.get(url);
          if (!answer) throw new VoiceClusterError('PROBE_FAILED', 'refused');
          return answer;
        },
      }),
    );
    const [g1, g2] = allocators as [(typeof allocators)[0], (typeof allocators)[0]];
    await Promise.all([g1.ready(), g2.ready()]);
    const moves: string[] = [];
    g1.onMove((m) => moves.push(`g1 ${m.channelId} ${m.from}->${m.to} ${m.reason}`));
    g2.onMove((m) => moves.push(`g2 ${m.channelId} ${m.from}->${m.to} ${m.reason}`));
    for (let i = 0; i < 20; i++) {
      const [x, y] = await Promise.all([
        g1.allocate({ guildId: 'g', channelId: `c${i}`, userId: `1${i}`, sessionId: `s1${i}` }),
        g2.allocate({ guildId: 'g', channelId: `c${i}`, userId: `2${i}`, sessionId: `s2${i}` }),
      ]);
      expect(y.endpoint).toBe(x.endpoint);
    }
    const victim = g1.nodeOf('g', 'c0')!;
    expect(victim).not.toBeNull();
    const onVictim = Array.from({ length: 20 }, (_, i) => `c${i}`).filter((c) => g1.nodeOf('g', c) === victim);
    // Both see the node die at the same moment: each channel ends on one survivor, the same for both.
    for (const view of views) view.set(victim, null);
    await Promise.all([g1.checkNow(), g2.checkNow()]);
    for (const channel of onVictim) {
      expect(g1.nodeOf('g', channel)).not.toBe(victim);
      expect(g2.nodeOf('g', channel)).toBe(g1.nodeOf('g', channel));
    }
    expect(moves).toHaveLength(onVictim.length * 2);
    g1.close();
    g2.close();
  });
});
