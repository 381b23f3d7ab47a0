import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import type { BusBroker } from '../src/brokers/BusBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { createRedisResumeStore, type RedisResumeStore } from '../src/resume/createRedisResumeStore.js';
import { encodeJournalEntry } from '../src/resume/journalEntryCodec.js';
import { ResumeError } from '../src/resume/ResumeError.js';
import type { SessionWrite } from '../src/resume/ResumeStore.js';
import { encodeSessionRecord, type SessionRecord } from '../src/resume/sessionRecordCodec.js';
import { sessionRecord } from './fixtures/sessionRecord.js';
import { connect, defaultDirectory, delay, GUILD_A, startServer, type TestClient } from './helpers.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const REDIS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 };
let run = 0;
const uniquePrefix = (): string => `rstore${Date.now().toString(36)}${process.pid}n${run++}:`;

const record = (sessionId: string): SessionRecord =>
  sessionRecord({ sessionId, user: { id: '1', username: 'one' }, intents: 513, guilds: ['10'] });

const message = (n: number): BrokerMessage => ({
  event: 'MESSAGE_CREATE',
  data: { n },
  intent: null,
  target: { type: 'guild', guildId: '10' },
  createdAt: 1,
});

function write(sessionId: string, gen: number, extra: Partial<SessionWrite> = {}): SessionWrite {
  return {
    sessionId,
    userId: '1',
    gen,
    create: false,
    refresh: false,
    record: null,
    cursors: [],
    entries: [],
    ...extra,
  };
}

const inline = (seq: number) => encodeJournalEntry({ seq, full: true, kind: 'inline', event: 'E', data: { seq } });

describe.skipIf(!redisUp)('Redis resume store', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisResumeStore;
  const brokers: BusBroker[] = [];

  beforeAll(() => {
    redis = new Redis(REDIS);
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    await store?.close();
    for (const b of brokers.splice(0)) await b.close();
  });

  async function setup(history?: { maxLen: number }) {
    prefix = uniquePrefix();
    store = await createRedisResumeStore({ redis: REDIS, prefix });
    const broker = await createRedisBroker({ redis: REDIS, prefix, ...(history ? { history } : {}) });
    brokers.push(broker);
    return broker;
  }

  it('commits fenced by generation; a claim moves the generation on and returns the state', async () => {
    await setup();
    const created = write('s1', 1, {
      create: true,
      record: encodeSessionRecord(record('s1')),
      cursors: [['guild:10', '5-0']],
      entries: [1, 2, 3, 4].map(inline),
    });
    expect(await store.commit([created], 60_000, 3)).toEqual([]);
    const ttl = await redis.pttl(`${prefix}s:{s1}:j`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);

    // Someone else's claim is refused without touching the generation.
    expect(await store.claim('s1', '2', 60_000)).toBeNull();
    const claimed = await store.claim('s1', '1', 60_000);
    expect(claimed?.gen).toBe(2);
    expect(claimed?.record).toEqual(record('s1'));
    expect([...(claimed?.cursors ?? [])]).toEqual([['guild:10', '5-0']]);
    // Trimmed to the last 3.
    expect(claimed?.entries.map((e) => e.seq)).toEqual([2, 3, 4]);

    // The old holder (generation 1) is fenced out and writes nothing; the new one writes.
    expect(await store.commit([write('s1', 1, { entries: [inline(5)] }), write('s1', 2)], 60_000, 3)).toEqual(['s1']);
    expect(await redis.llen(`${prefix}s:{s1}:j`)).toBe(3);
    expect(await store.commit([write('s1', 2, { entries: [inline(5)] })], 60_000, 3)).toEqual([]);
    expect((await store.claim('s1', '1', 60_000))?.entries.map((e) => e.seq)).toEqual([3, 4, 5]);

    // Removal needs the current generation.
    await store.remove('s1', 2);
    expect(await redis.exists(`${prefix}s:{s1}:r`)).toBe(1);
    await store.remove('s1', 3);
    expect(await redis.exists(`${prefix}s:{s1}:r`, `${prefix}s:{s1}:j`)).toBe(0);
    expect(await store.claim('s1', '1', 60_000)).toBeNull();
    // A write for a session that is gone is fenced too.
    expect(await store.commit([write('s1', 3)], 60_000, 3)).toEqual(['s1']);
  });

  it('refuses stored data it did not write with a ResumeError', async () => {
    await setup();
    try {
      await redis.hset(`${prefix}s:{bad}:r`, 'gen', '1', 'user', '1', 'data', '{"v":1}');
      await expect(store.claim('bad', '1', 1000)).rejects.toBeInstanceOf(ResumeError);
      await redis.hset(`${prefix}s:{bad2}:r`, 'gen', '1', 'user', '1', 'data', encodeSessionRecord(record('bad2')));
      await redis.rpush(`${prefix}s:{bad2}:j`, 'garbage');
      await expect(store.claim('bad2', '1', 1000)).rejects.toBeInstanceOf(ResumeError);
    } finally {
      await redis.del(`${prefix}s:{bad}:r`, `${prefix}s:{bad2}:r`, `${prefix}s:{bad2}:j`);
    }
  });

  it('reads topic histories after a cursor, and says when part of it was trimmed', async () => {
    const broker = await setup({ maxLen: 10 });
    expect(await store.topicHead('guild:10')).toBe('0-0');
    expect(await store.readAfter('guild:10', '0-0', 100)).toEqual([]);
    for (let n = 0; n < 5; n++) await broker.publish('guild:10', message(n));
    const all = (await store.readAfter('guild:10', '0-0', 100))!;
    expect(all.map((m) => (m.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    expect(await store.topicHead('guild:10')).toBe(all[4]!.position!.id);
    const after = (await store.readAfter('guild:10', all[1]!.position!.id, 100))!;
    expect(after.map((m) => m.position)).toEqual(all.slice(2).map((m) => m.position));
    expect(after[0]).toEqual({ ...message(2), position: { topic: 'guild:10', id: all[2]!.position!.id } });
    // More than the limit: refused rather than cut.
    expect(await store.readAfter('guild:10', '0-0', 4)).toBeNull();
    expect(await store.fetch([all[3]!.position!, { topic: 'guild:10', id: '1-0' }])).toEqual([all[3], null]);

    // Trimming (whole stream nodes of 100 entries) drops the cursor's entry: the gap can no longer be filled.
    for (let n = 5; n < 400; n++) await broker.publish('guild:10', message(n));
    expect(await store.readAfter('guild:10', all[1]!.position!.id, 10_000)).toBeNull();
    expect(await store.readAfter('guild:10', '0-0', 10_000)).toBeNull();
    const head = await store.topicHead('guild:10');
    expect(await store.readAfter('guild:10', head, 10)).toEqual([]);
    expect(await redis.pttl(`${prefix}h:guild:10`)).toBeGreaterThan(0);
  });

  it('resolves a publish once Redis ran it, whether its reply or its own echo settles it (replies off)', async () => {
    const broker = await setup();
    const got: BrokerMessage[] = [];
    await broker.subscribe('guild:10', (m) => got.push(m));
    await broker.ready();
    // guild:10 comes back to this node (settled by the echo), guild:11 does not (settled by a reply): in order, and
    // each in its stream by the time its publish resolves.
    for (let n = 0; n < 40; n++) {
      await broker.publish(n % 2 === 0 ? 'guild:10' : 'guild:11', message(n));
      const stream = (await store.readAfter(n % 2 === 0 ? 'guild:10' : 'guild:11', '0-0', 100))!;
      expect(stream.at(-1)!.data).toEqual(message(n).data);
    }
    // Several in one turn, some of them to a topic nobody here listens to.
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => broker.publish(n % 3 ? 'guild:10' : 'guild:11', message(n))),
    );
    for (let i = 0; i < 200 && got.length < 40; i++) await delay(5);
    expect(got.map((m) => (m.data as { n: number }).n)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 2 * i),
      ...Array.from({ length: 30 }, (_, n) => n).filter((n) => n % 3),
    ]);
    expect((await store.readAfter('guild:11', '0-0', 100))!).toHaveLength(30);
  });

  it('publishes with the stream id on the bus (history on) and without it (history off)', async () => {
    const broker = await setup();
    const plain = await createRedisBroker({ redis: REDIS, prefix, history: false });
    brokers.push(plain);
    const got: BrokerMessage[] = [];
    await broker.subscribe('guild:10', (m) => got.push(m));
    await broker.ready();
    await broker.publish('guild:10', message(1));
    await plain.publish('guild:10', message(2));
    for (let i = 0; i < 200 && got.length < 2; i++) await delay(5);
    expect(got).toHaveLength(2);
    const [first] = (await store.readAfter('guild:10', '0-0', 10))!;
    expect(got[0]!.position).toEqual(first!.position);
    expect(got[1]!.position).toBeUndefined();
  });
});

describe.skipIf(!redisUp)('gateway server with a resume store (one node)', () => {
  const servers: GatewayServer[] = [];
  const clients: TestClient[] = [];
  const closers: (() => Promise<void>)[] = [];
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS);
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    for (const s of servers.splice(0)) await s.close();
    for (const close of closers.splice(0)) await close();
  });

  async function node() {
    const prefix = uniquePrefix();
    const broker = await createRedisBroker({ redis: REDIS, prefix });
    const resumeStore = await createRedisResumeStore({ redis: REDIS, prefix });
    closers.push(
      () => resumeStore.close(),
      () => broker.close(),
    );
    const server = await startServer({ broker, resumeStore });
    servers.push(server);
    return { prefix, broker, server };
  }

  it('resumes on the same node through the store, journaled dispatches exactly once', async () => {
    const { prefix, broker, server } = await node();
    const client = await connect(server);
    clients.push(client);
    const ready = await client.ready('1');
    const sessionId = ready.d.session_id as string;
    await broker.ready();
    for (let i = 0; i < 200 && (await redis.hget(`${prefix}s:{${sessionId}}:r`, `c:guild:${GUILD_A}`)) === null; i++) {
      await delay(5);
    }
    for (let n = 0; n < 5; n++) server.dispatchToGuild(GUILD_A, 'SEQ', { n }, { intent: null });
    await client.next((p) => p.t === 'SEQ' && p.d.n === 4);
    const seq = client.lastSeq();
    await client.close(4000);
    for (let n = 5; n < 10; n++) server.dispatchToGuild(GUILD_A, 'SEQ', { n }, { intent: null });
    await delay(50);
    const again = await connect(server);
    clients.push(again);
    await again.next((p) => p.op === 10);
    again.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq } });
    // Dispatched while the resume is answered: after the replay, before or after RESUMED, but once.
    for (let n = 10; n < 15; n++) server.dispatchToGuild(GUILD_A, 'SEQ', { n }, { intent: null });
    await again.dispatch('RESUMED');
    await again.next((p) => p.t === 'SEQ' && p.d.n === 14);
    const all = [...client.received, ...again.received];
    expect(all.filter((p) => p.t === 'SEQ').map((p) => p.d.n)).toEqual(Array.from({ length: 15 }, (_, n) => n));
    const seqs = all.filter((p) => p.op === 0).map((p) => p.s);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));

    // Ending the session (close 1000) removes it from the store.
    await again.close(1000);
    for (let i = 0; i < 200 && (await redis.exists(`${prefix}s:{${sessionId}}:r`)) === 1; i++) await delay(5);
    expect(await redis.exists(`${prefix}s:{${sessionId}}:r`, `${prefix}s:{${sessionId}}:j`)).toBe(0);
  });

  it('keeps a session cursor behind a delivery an async directory has not decided yet', async () => {
    const prefix = uniquePrefix();
    const broker = await createRedisBroker({ redis: REDIS, prefix });
    const resumeStore = await createRedisResumeStore({ redis: REDIS, prefix });
    closers.push(
      () => resumeStore.close(),
      () => broker.close(),
    );
    const directory = defaultDirectory();
    const canView = directory.canView.bind(directory);
    let hold = false;
    let release: (() => void) | null = null;
    directory.canView = ((userId: string, guildId: string, channelId?: string) => {
      if (!hold) return canView(userId, guildId, channelId);
      return new Promise<boolean>((resolve) => {
        release = () => resolve(canView(userId, guildId, channelId) as boolean);
      });
    }) as typeof directory.canView;
    const server = await startServer({ broker, resumeStore, directory });
    servers.push(server);
    const client = await connect(server);
    clients.push(client);
    const sessionId = (await client.ready('1')).d.session_id as string;
    const record = `${prefix}s:{${sessionId}}:r`;
    const field = `c:guild:${GUILD_A}`;
    for (let i = 0; i < 200 && (await redis.hget(record, field)) === null; i++) await delay(5);
    const before = await redis.hget(record, field);
    expect(before).not.toBeNull();

    hold = true;
    server.dispatchRaw(
      'MESSAGE_CREATE',
      { id: '5', channel_id: `${GUILD_A}1`, n: 1 },
      { type: 'channel', guildId: GUILD_A, channelId: `${GUILD_A}1` },
    );
    for (let i = 0; i < 200 && release === null; i++) await delay(5);
    hold = false;
    // A later message of the topic, decided at once: delivered, but its cursor waits behind the undecided one.
    server.dispatchToGuild(GUILD_A, 'SEQ', { n: 2 }, { intent: null });
    await client.dispatch('SEQ');
    await delay(50);
    expect(await redis.hget(record, field)).toBe(before);

    release!();
    await client.dispatch('MESSAGE_CREATE');
    const head = await resumeStore.topicHead(`guild:${GUILD_A}`);
    for (let i = 0; i < 200 && (await redis.hget(record, field)) !== head; i++) await delay(5);
    expect(await redis.hget(record, field)).toBe(head);
  });

  it('refuses a resume store without a broker that keeps topic histories', async () => {
    const resumeStore = await createRedisResumeStore({ redis: REDIS, prefix: uniquePrefix() });
    closers.push(() => resumeStore.close());
    await expect(startServer({ resumeStore })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const plain = await createRedisBroker({ redis: REDIS, prefix: uniquePrefix(), history: false });
    closers.push(() => plain.close());
    await expect(startServer({ resumeStore, broker: plain })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('answers op 9 to a Resume of a session no node has', async () => {
    const { server } = await node();
    const client = await connect(server);
    clients.push(client);
    await client.next((p) => p.op === 10);
    client.send({ op: 6, d: { token: 'token-1', session_id: 'f'.repeat(32), seq: 3 } });
    expect((await client.next((p) => p.op === 9)).d).toBe(false);
  });
});
