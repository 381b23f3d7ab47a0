import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusBroker } from '../src/brokers/BusBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import { ALL_NON_PRIVILEGED, delay, GUILD_A, GUILD_B, MESSAGE_CONTENT, type Payload, TestClient } from './helpers.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const INTENTS = ALL_NON_PRIVILEGED | MESSAGE_CONTENT;
const CHANNEL_A = `${GUILD_A}1`;
const CHANNEL_B = `${GUILD_B}1`;
/** Users 1 and 2 are in guilds A and B, user 3 only in A (helpers' defaultDirectory). */
const CHANNELS_OF: Record<string, string[]> = {
  '1': [CHANNEL_A, CHANNEL_B],
  '2': [CHANNEL_A, CHANNEL_B],
  '3': [CHANNEL_A],
};

interface Node {
  url: string;
  child: ChildProcess;
  command(line: string): void;
}

let run = 0;
const uniquePrefix = (): string => `rtest${Date.now().toString(36)}${process.pid}n${run++}:`;

describe.skipIf(!redisUp)('resume across gateway nodes (Redis broker + resume store, real processes)', () => {
  const children: ChildProcess[] = [];
  const clients: TestClient[] = [];
  const brokers: BusBroker[] = [];
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const b of brokers.splice(0)) await b.close();
  });

  async function spawnNode(prefix: string, resumeUrl = '-', replayBufferSize?: number): Promise<Node> {
    const args = [fileURLToPath(new URL('./fixtures/resumeNode.ts', import.meta.url)), prefix, resumeUrl];
    if (replayBufferSize !== undefined) args.push(String(replayBufferSize));
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error('the node exited before listening');
    const { url } = JSON.parse(first.value) as { url: string };
    return { url, child, command: (line) => child.stdin!.write(`${line}\n`) };
  }

  async function publisher(prefix: string, history?: { maxLen: number }): Promise<BusBroker> {
    const broker = await createRedisBroker({
      redis: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 },
      prefix,
      ...(history ? { history } : {}),
    });
    brokers.push(broker);
    return broker;
  }

  /** One numbered message in a channel, as another gateway node's `dispatchToChannel` would publish it. */
  function publish(broker: BusBroker, channelId: string, n: number): Promise<void> {
    const guildId = channelId === CHANNEL_A ? GUILD_A : GUILD_B;
    return Promise.resolve(
      broker.publish(`guild:${guildId}`, {
        event: 'MESSAGE_CREATE',
        data: { id: String(1000 + n), channel_id: channelId, guild_id: guildId, content: `m${n}`, n },
        intent: 1 << 9,
        target: { type: 'channel', guildId, channelId },
        createdAt: Date.now(),
      }),
    );
  }

  async function identify(
    node: Node,
    userId: string,
    query?: string,
  ): Promise<{ client: TestClient; sessionId: string }> {
    const client = new TestClient(node.url, query);
    clients.push(client);
    await client.opened;
    const ready = await client.ready(userId, { intents: INTENTS });
    return { client, sessionId: ready.d.session_id as string };
  }

  /** Waits until the node committed the session's cursors for all its topics (it knows where each one starts). */
  async function journaled(prefix: string, sessionId: string, userId: string): Promise<void> {
    const guilds = CHANNELS_OF[userId]!.map((c) => (c === CHANNEL_A ? GUILD_A : GUILD_B));
    const fields = [`c:session:${sessionId}`, `c:user:${userId}`, ...guilds.map((g) => `c:guild:${g}`)];
    for (let i = 0; i < 500; i++) {
      const values = await redis.hmget(`${prefix}s:{${sessionId}}:r`, ...fields);
      if (values.every((v) => v !== null)) return;
      await delay(10);
    }
    throw new Error('the session cursors never reached Redis');
  }

  async function resume(
    url: string,
    sessionId: string,
    userId: string,
    seq: number | null,
    query?: string,
  ): Promise<TestClient> {
    const client = new TestClient(url, query);
    clients.push(client);
    await client.opened;
    await client.next((p) => p.op === 10);
    client.send({ op: 6, d: { token: `Bot token-${userId}`, session_id: sessionId, seq } });
    return client;
  }

  const messagesIn = (payloads: Payload[], channelId: string): number[] =>
    payloads.filter((p) => p.op === 0 && p.t === 'MESSAGE_CREATE' && p.d.channel_id === channelId).map((p) => p.d.n);

  it('a client whose node is killed resumes on another node: every message exactly once, in order, seqs contiguous', {
    timeout: 40_000,
  }, async () => {
    const prefix = uniquePrefix();
    const b = await spawnNode(prefix);
    const a = await spawnNode(prefix, b.url);
    const users = ['1', '2', '3', '1'];
    const sessions = await Promise.all(users.map((u) => identify(a, u)));
    for (const s of sessions) expect(s.client.received[0]?.op).toBe(10);
    const ready = sessions[0]!.client.received.find((p) => p.t === 'READY')!;
    expect(ready.d.resume_gateway_url).toBe(b.url);
    await Promise.all(sessions.map((s, i) => journaled(prefix, s.sessionId, users[i]!)));
    const pub = await publisher(prefix);

    // Each client resumes as soon as its socket dies, while the messages keep coming.
    const resumed = sessions.map(({ client, sessionId }, i) =>
      client.closed.then(() => resume(b.url, sessionId, users[i]!, client.lastSeq())),
    );
    const N = 240;
    for (let n = 0; n < N; n++) {
      await Promise.all([publish(pub, CHANNEL_A, n), publish(pub, CHANNEL_B, n)]);
      if (n === 80) a.child.kill('SIGKILL');
      await delay(2);
    }
    const after = await Promise.all(resumed);
    for (let i = 0; i < sessions.length; i++) {
      const before = sessions[i]!.client;
      const now = after[i]!;
      await now.dispatch('RESUMED', 10_000);
      for (const channel of CHANNELS_OF[users[i]!]!) {
        await now.next((p) => p.t === 'MESSAGE_CREATE' && p.d.channel_id === channel && p.d.n === N - 1, 10_000);
      }
      const all = [...before.received, ...now.received];
      for (const channel of [CHANNEL_A, CHANNEL_B]) {
        const expected = CHANNELS_OF[users[i]!]!.includes(channel) ? Array.from({ length: N }, (_, n) => n) : [];
        expect(messagesIn(all, channel)).toEqual(expected);
      }
      const seqs = all.filter((p) => p.op === 0).map((p) => p.s as number);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      expect(now.received.filter((p) => p.op === 9)).toEqual([]);
    }
  });

  it.each([
    ['json', 'v=10&encoding=json'],
    ['etf + zlib-stream', 'v=10&encoding=etf&compress=zlib-stream'],
  ])(
    'replays what the dead node journaled while the client was away, then the gap after it died (%s)',
    {
      timeout: 20_000,
    },
    async (_name, query) => {
      const prefix = uniquePrefix();
      const [a, b] = await Promise.all([spawnNode(prefix), spawnNode(prefix)]);
      const { client, sessionId } = await identify(a, '2', query);
      await journaled(prefix, sessionId, '2');
      const pub = await publisher(prefix);
      for (let n = 0; n < 10; n++) await publish(pub, CHANNEL_A, n);
      await client.next((p) => p.t === 'MESSAGE_CREATE' && p.d.n === 9);
      const seq = client.lastSeq()!;
      await client.close(4000);
      // Node A keeps journaling for the detached session (references to the guild history, not copies).
      for (let n = 10; n < 30; n++) await publish(pub, CHANNEL_B, n);
      for (let i = 0; i < 500 && (await lastJournaledSeq(prefix, sessionId)) < seq + 20; i++) await delay(10);
      expect(await lastJournaledSeq(prefix, sessionId)).toBe(seq + 20);
      a.child.kill('SIGKILL');
      for (let n = 30; n < 50; n++) await publish(pub, n % 2 ? CHANNEL_A : CHANNEL_B, n);
      const again = await resume(b.url, sessionId, '2', seq, query);
      await again.dispatch('RESUMED', 10_000);
      const all = [...client.received, ...again.received];
      // Per channel order (across guilds, the gap is ordered by the Redis clock only, to the millisecond).
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
      expect(messagesIn(all, CHANNEL_A)).toEqual([...range(0, 10), ...range(30, 50).filter((n) => n % 2)]);
      expect(messagesIn(all, CHANNEL_B)).toEqual([...range(10, 30), ...range(30, 50).filter((n) => !(n % 2))]);
      const seqs = all.filter((p) => p.op === 0).map((p) => p.s as number);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      // The replayed part keeps its original seqs: seq+1 … seq+20 are messages 10 … 29.
      const replayed = again.received.filter((p) => p.t === 'MESSAGE_CREATE' && p.d.n >= 10 && p.d.n < 30);
      expect(replayed.map((p) => p.s)).toEqual(Array.from({ length: 20 }, (_, k) => seq + 1 + k));
    },
  );

  it('answers op 9 when the journal was trimmed past the client seq', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix();
    const [a, b] = await Promise.all([spawnNode(prefix, '-', 5), spawnNode(prefix)]);
    const { client, sessionId } = await identify(a, '1');
    await journaled(prefix, sessionId, '1');
    const seq = client.lastSeq();
    await client.close(4000);
    const pub = await publisher(prefix);
    for (let n = 0; n < 20; n++) await publish(pub, CHANNEL_A, n);
    // Node A journals them while the client is away: the journal keeps the last 5.
    for (let i = 0; i < 500 && (await lastJournaledSeq(prefix, sessionId)) < (seq ?? 0) + 20; i++) await delay(10);
    a.child.kill('SIGKILL');
    const again = await resume(b.url, sessionId, '1', seq);
    expect((await again.next((p) => p.op === 9 || p.op === 0, 5000)).op).toBe(9);
  });

  it('answers op 9 when the topic history was trimmed past the session cursor', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix();
    const [a, b] = await Promise.all([spawnNode(prefix), spawnNode(prefix)]);
    const { client, sessionId } = await identify(a, '1');
    await journaled(prefix, sessionId, '1');
    a.child.kill('SIGKILL');
    await client.closed;
    // While no node serves the session, its guild's history overflows (about 10 kept, trimmed by whole nodes).
    const pub = await publisher(prefix, { maxLen: 10 });
    for (let n = 0; n < 400; n++) await publish(pub, CHANNEL_A, n);
    const again = await resume(b.url, sessionId, '1', client.lastSeq());
    const answer = await again.next((p) => p.op === 9 || p.t === 'RESUMED', 5000);
    expect(answer.op).toBe(9);
    expect(answer.d).toBe(false);
    expect(messagesIn(again.received, CHANNEL_A)).toEqual([]);
  });

  it('lets only one of two simultaneous resumes of a session win', { timeout: 30_000 }, async () => {
    const prefix = uniquePrefix();
    const [a, b, c] = await Promise.all([spawnNode(prefix), spawnNode(prefix), spawnNode(prefix)]);
    const { client, sessionId } = await identify(a, '3');
    await journaled(prefix, sessionId, '3');
    const pub = await publisher(prefix);
    for (let n = 0; n < 5; n++) await publish(pub, CHANNEL_A, n);
    await client.next((p) => p.t === 'MESSAGE_CREATE' && p.d.n === 4);
    a.child.kill('SIGKILL');
    await client.closed;
    for (let n = 5; n < 10; n++) await publish(pub, CHANNEL_A, n);
    const seq = client.lastSeq();
    const racers = await Promise.all([b.url, c.url].map((url) => resume(url, sessionId, '3', seq)));
    // Until one racer is told op 9, keep publishing: a racer that resumed first is fenced out at its next commit.
    let n = 10;
    const lost = (r: TestClient) => r.received.some((p) => p.op === 9);
    while (!racers.some(lost) && n < 400) {
      await publish(pub, CHANNEL_A, n++);
      await delay(5);
    }
    await publish(pub, CHANNEL_A, n);
    const winners = racers.filter((r) => !lost(r));
    const losers = racers.filter(lost);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = winners[0]!;
    await winner.next((p) => p.t === 'MESSAGE_CREATE' && p.d.n === n, 10_000);
    expect(messagesIn([...client.received, ...winner.received], CHANNEL_A)).toEqual(
      Array.from({ length: n + 1 }, (_, k) => k),
    );
    expect(losers[0]!.received.filter((p) => p.op === 9).map((p) => p.d)).toEqual([false]);
  });

  async function lastJournaledSeq(prefix: string, sessionId: string): Promise<number> {
    const [last] = await redis.lrange(`${prefix}s:{${sessionId}}:j`, -1, -1);
    return last ? (JSON.parse(last) as [number])[0] : 0;
  }
});
