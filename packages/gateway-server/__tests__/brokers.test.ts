import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { connect as natsConnect } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import type { BusBroker, RawBusBroker } from '../src/brokers/BusBroker.js';
import {
  type BrokerWireFormat,
  decodeBrokerPayload,
  encodeBrokerPayload,
  splicedBody,
} from '../src/brokers/brokerCodec.js';
import { createNatsBroker } from '../src/brokers/createNatsBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, defaultDirectory, GUILD_A, GUILD_B, type Payload, startServer, TestClient } from './helpers.js';

const COUNT = 200;

interface Backend {
  name: string;
  up: boolean;
  /** A fresh broker on its own connection(s), as a separate process would have; the prefix isolates this test run. */
  broker(prefix: string, onError?: (error: unknown) => void, format?: BrokerWireFormat): Promise<RawBusBroker>;
  /** Publishes raw bytes on the bus, bypassing the codec. */
  raw(prefix: string, topic: string, payloads: (string | Uint8Array)[]): Promise<void>;
  /** How many subscribers the bus server itself counts for a topic, or null when it cannot tell. */
  subscribers(prefix: string, topic: string): Promise<number | null>;
}

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});
const natsUp = await requireService({
  name: 'nats',
  host: '127.0.0.1',
  port: 4222,
  howToStart: 'bash .ci/services/nats.sh start',
});

const backends: Backend[] = [
  {
    name: 'redis',
    up: redisUp,
    broker: (prefix, onError, format) =>
      createRedisBroker({
        redis: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 },
        prefix,
        onError,
        ...(format ? { format } : {}),
      }),
    async raw(prefix, topic, payloads) {
      const client = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
      try {
        for (const p of payloads) await client.publish(prefix + topic, typeof p === 'string' ? p : Buffer.from(p));
      } finally {
        await client.quit();
      }
    },
    async subscribers(prefix, topic) {
      const client = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
      try {
        const reply = (await client.call('PUBSUB', 'NUMSUB', prefix + topic)) as [string, number];
        return Number(reply[1]);
      } finally {
        await client.quit();
      }
    },
  },
  {
    name: 'nats',
    up: natsUp,
    broker: (prefix, onError, format) =>
      createNatsBroker({ nats: { servers: '127.0.0.1:4222' }, prefix, onError, ...(format ? { format } : {}) }),
    async raw(prefix, topic, payloads) {
      const nc = await natsConnect({ servers: '127.0.0.1:4222' });
      const encoder = new TextEncoder();
      for (const p of payloads) nc.publish(prefix + topic, typeof p === 'string' ? encoder.encode(p) : p);
      await nc.flush();
      await nc.close();
    },
    subscribers: async () => null,
  },
];

let run = 0;
const uniquePrefix = (name: string): string =>
  `test${Date.now().toString(36)}${process.pid}n${run++}${name === 'nats' ? '.' : ':'}`;

for (const backend of backends) {
  describe.skipIf(!backend.up)(`${backend.name} broker`, () => {
    const servers: GatewayServer[] = [];
    const brokers: BusBroker[] = [];
    const clients: TestClient[] = [];
    const children: ChildProcess[] = [];

    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
      for (const c of clients.splice(0)) c.ws.terminate();
      for (const s of servers.splice(0)) await s.close();
      for (const b of brokers.splice(0)) await b.close();
    });

    /** Node A holds users 1 and 2 (guilds A and B), node B holds user 3 (guild A only). */
    async function twoNodes() {
      const prefix = uniquePrefix(backend.name);
      const errors: unknown[] = [];
      const brokerA = await backend.broker(prefix, (e) => errors.push(e));
      const brokerB = await backend.broker(prefix, (e) => errors.push(e));
      brokers.push(brokerA, brokerB);
      const a = await startServer({ broker: brokerA, directory: defaultDirectory() });
      const b = await startServer({ broker: brokerB, directory: defaultDirectory() });
      servers.push(a, b);
      const [one, two, three] = await Promise.all([connect(a), connect(a), connect(b)]);
      clients.push(one!, two!, three!);
      await Promise.all([one!.ready('1'), two!.ready('2'), three!.ready('3')]);
      // The sessions' subscriptions must be in effect on the bus before anything is published.
      await Promise.all([brokerA.ready(), brokerB.ready()]);
      return { prefix, errors, a, b, brokerA, brokerB, one: one!, two: two!, three: three! };
    }

    it('delivers every dispatch from either node to every session exactly once, in publish order', async () => {
      const { errors, a, b, one, two, three } = await twoNodes();
      for (let n = 0; n < COUNT; n++) {
        a.dispatchToGuild(GUILD_A, 'SEQ', { from: 'a', n }, { intent: null });
        b.dispatch(
          'SEQ',
          { from: 'b', n },
          { type: 'channel', guildId: GUILD_A, channelId: `${GUILD_A}1` },
          { intent: null },
        );
      }
      // Anything duplicated would arrive before the end marker: each node's messages keep their order on the bus.
      a.dispatchToGuild(GUILD_A, 'END_A', {}, { intent: null });
      b.dispatchToGuild(GUILD_A, 'END_B', {}, { intent: null });
      for (const client of [one, two, three]) {
        await Promise.all([client.dispatch('END_A', 8000), client.dispatch('END_B', 8000)]);
        const seq = client.received.filter((p) => p.t === 'SEQ');
        const from = (node: string) => seq.filter((p) => p.d.from === node).map((p: Payload) => p.d.n as number);
        const expected = Array.from({ length: COUNT }, (_, i) => i);
        expect(from('a')).toEqual(expected);
        expect(from('b')).toEqual(expected);
        expect(seq).toHaveLength(2 * COUNT);
        // The gateway sequence each session sees has no gaps: nothing was sent twice or skipped on the wire.
        const s = client.received.filter((p) => p.op === 0).map((p) => p.s as number);
        expect(s).toEqual(Array.from({ length: s.length }, (_, i) => i + 1));
      }
      expect(errors).toEqual([]);
    });

    it('delivers a node its own messages as the other nodes get them, and drops the ones they drop', async () => {
      const prefix = uniquePrefix(backend.name);
      const errors: unknown[] = [];
      const [brokerA, brokerB] = await Promise.all([
        backend.broker(prefix, (e) => errors.push(e)),
        backend.broker(prefix, (e) => errors.push(e)),
      ]);
      brokers.push(brokerA, brokerB);
      const topic = `guild:${GUILD_A}`;
      const gotA: BrokerMessage[] = [];
      const gotB: BrokerMessage[] = [];
      await Promise.all([brokerA.subscribe(topic, (m) => gotA.push(m)), brokerB.subscribe(topic, (m) => gotB.push(m))]);
      await Promise.all([brokerA.ready(), brokerB.ready()]);
      const message = (event: string, n: number): BrokerMessage => ({
        event,
        data: { n, nested: [{ id: 1n }] },
        intent: 1 << 9,
        target: { type: 'guild', guildId: GUILD_A },
        createdAt: 1_700_000_000_000 + n,
      });
      for (let n = 0; n < 20; n++) {
        // Every node decodes this one (and so refuses it): event names are at most 128 characters.
        if (n === 10) await brokerA.publish(topic, message('X'.repeat(129), n));
        await brokerA.publish(topic, message('OWN', n));
        await brokerB.publish(topic, message('OTHER', n));
      }
      await expect.poll(() => [gotA.length, gotB.length]).toEqual([40, 40]);
      // A got its own messages as B got them: same fields, same spliced body, each publisher's in its order. Redis
      // brings A's back in the stream's order (and position); NATS's A delivers them as it publishes them, so the
      // two publishers' messages may interleave differently on A and B.
      const plain = (m: BrokerMessage) => ({ ...m, body: splicedBody(m)?.toString() });
      const from = (got: BrokerMessage[], event: string) => got.filter((m) => m.event === event).map(plain);
      for (const event of ['OWN', 'OTHER']) expect(from(gotA, event)).toEqual(from(gotB, event));
      if (backend.name === 'redis') expect(gotA.map(plain)).toEqual(gotB.map(plain));
      expect(gotA.filter((m) => m.event === 'OWN').map((m) => (m.data as { n: number }).n)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
      expect(errors).toHaveLength(2);
      for (const e of errors) expect(e).toMatchObject({ code: 'INVALID_BROKER_MESSAGE' });
    });

    it.runIf(backend.name === 'nats')(
      'delivers its own messages as it publishes them on a connection of its own, from the echo on a given one',
      async () => {
        const prefix = uniquePrefix(backend.name);
        const topic = `guild:${GUILD_A}`;
        const message: BrokerMessage = {
          event: 'OWN',
          data: { n: 1 },
          intent: null,
          target: { type: 'guild', guildId: GUILD_A },
          createdAt: 1,
        };
        const mine = await backend.broker(prefix);
        const nc = await natsConnect({ servers: '127.0.0.1:4222' });
        const shared = await createNatsBroker({ nats: nc, prefix });
        brokers.push(mine, shared);
        const got: { mine: unknown[]; shared: unknown[]; raw: string[] } = { mine: [], shared: [], raw: [] };
        await mine.subscribe(topic, (m) => got.mine.push(m.data));
        await mine.subscribeRaw(topic, (_t, payload) => got.raw.push(decodeBrokerPayload(topic, payload).event));
        await shared.subscribe(topic, (m) => got.shared.push(m.data));
        await Promise.all([mine.ready(), shared.ready()]);
        await mine.publish(topic, message);
        await mine.publishRaw(topic, encodeBrokerPayload({ ...message, event: 'RAW', data: { n: 2 } }));
        // No echo to wait for: both were delivered during the calls, to decoded and raw listeners alike.
        expect(got.mine).toEqual([{ n: 1 }, { n: 2 }]);
        expect(got.raw).toEqual(['OWN', 'RAW']);
        // NATS orders messages per publishing connection only: the other node has both before it publishes its own.
        await expect.poll(() => got.shared).toEqual([{ n: 1 }, { n: 2 }]);
        await shared.publish(topic, { ...message, data: { n: 3 } });
        // On a given connection its own message waits for the echo.
        expect(got.shared).toEqual([{ n: 1 }, { n: 2 }]);
        await expect.poll(() => got.shared).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        await expect.poll(() => got.mine).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        await shared.close();
        await nc.close();
      },
    );

    it('routes user and session targets to the node holding them', async () => {
      const { a, b, one, three } = await twoNodes();
      const readyThree = three.received.find((p) => p.t === 'READY')!;
      a.dispatchToUsers('3', 'FOR_USER', { n: 1 }, { intent: null });
      a.dispatchToSession(readyThree.d.session_id, 'FOR_SESSION', { n: 2 });
      b.dispatchToUsers('1', 'FOR_ONE', { n: 3 }, { intent: null });
      expect((await three.dispatch('FOR_USER')).d).toEqual({ n: 1 });
      expect((await three.dispatch('FOR_SESSION')).d).toEqual({ n: 2 });
      expect((await one.dispatch('FOR_ONE')).d).toEqual({ n: 3 });
      b.dispatchToUsers('3', 'MARK', {}, { intent: null });
      await three.dispatch('MARK');
      expect(three.received.filter((p) => p.t === 'FOR_USER' || p.t === 'FOR_SESSION')).toHaveLength(2);
      expect(one.received.some((p) => p.t === 'FOR_USER' || p.t === 'FOR_SESSION')).toBe(false);
    });

    it('hands payloads undecoded to a raw listener (a host relay) and publishes what it is given', async () => {
      const { prefix, b, one, three } = await twoNodes();
      const relay = await backend.broker(prefix);
      brokers.push(relay);
      const got: [string, Buffer][] = [];
      // The payload may be a view into the driver's buffer: copied at once, as a relay writing it to a socket would.
      const rawListener = (topic: string, payload: Uint8Array) => got.push([topic, Buffer.from(payload)]);
      await relay.subscribeRaw(`guild:${GUILD_A}`, rawListener);
      await relay.ready();
      b.dispatchToGuild(GUILD_A, 'FOR_ONE', { n: 1 }, { intent: null });
      await one.dispatch('FOR_ONE');
      await expect.poll(() => got.length).toBe(1);
      const message = decodeBrokerPayload(got[0]![0], got[0]![1]);
      expect(message).toMatchObject({ event: 'FOR_ONE', data: { n: 1 }, target: { type: 'guild', guildId: GUILD_A } });
      // What a worker hands its relay goes out as is and reaches the sessions of every node.
      await relay.publishRaw(`guild:${GUILD_A}`, encodeBrokerPayload({ ...message, event: 'FROM_RELAY' }));
      expect((await one.dispatch('FROM_RELAY')).d).toEqual({ n: 1 });
      expect((await three.dispatch('FROM_RELAY')).d).toEqual({ n: 1 });
      await relay.unsubscribeRaw(`guild:${GUILD_A}`, rawListener);
      expect(relay.topics()).toEqual([]);
    });

    it('understands a node still publishing wire format 1 (rolling upgrade)', async () => {
      const { prefix, one, three } = await twoNodes();
      const old = await backend.broker(prefix, undefined, 1);
      brokers.push(old);
      const server = await startServer({ broker: old, directory: defaultDirectory() });
      servers.push(server);
      server.dispatchToGuild(GUILD_A, 'ELSEWHERE', { n: 2 }, { intent: null });
      expect((await one.dispatch('ELSEWHERE')).d).toEqual({ n: 2 });
      expect((await three.dispatch('ELSEWHERE')).d).toEqual({ n: 2 });
    });

    it('subscribes a node only to the guilds it holds sessions in', async () => {
      const { prefix, a, brokerA, brokerB, three } = await twoNodes();
      expect(brokerA.topics()).toEqual(expect.arrayContaining([`guild:${GUILD_A}`, `guild:${GUILD_B}`]));
      expect(brokerB.topics()).toContain(`guild:${GUILD_A}`);
      expect(brokerB.topics()).not.toContain(`guild:${GUILD_B}`);
      expect(await backend.subscribers(prefix, `guild:${GUILD_B}`)).toSatisfy((n) => n === null || n === 1);
      const before = brokerB.stats.received;
      for (let n = 0; n < 50; n++) a.dispatchToGuild(GUILD_B, 'ELSEWHERE', { n }, { intent: null });
      a.dispatchToGuild(GUILD_A, 'MARK', {}, { intent: null });
      await three.dispatch('MARK');
      // Node B saw the marker and nothing of guild B's 50 messages published before it.
      expect(brokerB.stats.received - before).toBe(1);
      expect(brokerA.stats.published).toBeGreaterThanOrEqual(51);
    });

    it('counts and drops garbage on the bus without crashing, and keeps delivering', async () => {
      const { prefix, errors, a, brokerA, brokerB, one, three } = await twoNodes();
      const garbage = [
        'not json',
        '[]',
        '[1]',
        '{"t":"X"}',
        '[2,"X",null,{"type":"guild","guildId":"1"},0,{}]',
        `[1,"X",null,{"type":"nope"},0,{}]`,
        `[1,"X","1",{"type":"guild","guildId":"${GUILD_A}"},0,{}]`,
        new Uint8Array([0xff, 0xfe, 0x00, 0x81]),
      ];
      const droppedA = brokerA.stats.dropped;
      const droppedB = brokerB.stats.dropped;
      await backend.raw(prefix, `guild:${GUILD_A}`, garbage);
      a.dispatchToGuild(GUILD_A, 'AFTER', { ok: true }, { intent: null });
      expect((await one.dispatch('AFTER')).d).toEqual({ ok: true });
      expect((await three.dispatch('AFTER')).d).toEqual({ ok: true });
      expect(brokerA.stats.dropped - droppedA).toBe(garbage.length);
      expect(brokerB.stats.dropped - droppedB).toBe(garbage.length);
      // Both nodes reported each bad message as a typed error.
      expect(errors).toHaveLength(2 * garbage.length);
      for (const e of errors) expect(e).toMatchObject({ code: 'INVALID_BROKER_MESSAGE' });
      expect(one.received.filter((p) => p.t === 'X')).toEqual([]);
    });

    it('unsubscribes a node from the bus when it closes', async () => {
      const { prefix, a, b, brokerA, brokerB, one } = await twoNodes();
      expect(await backend.subscribers(prefix, `guild:${GUILD_A}`)).toSatisfy((n) => n === null || n === 2);
      await b.close();
      await brokerB.ready();
      expect(brokerB.topics()).toEqual([]);
      expect(await backend.subscribers(prefix, `guild:${GUILD_A}`)).toSatisfy((n) => n === null || n === 1);
      const before = brokerB.stats.received;
      a.dispatchToGuild(GUILD_A, 'AFTER_CLOSE', {}, { intent: null });
      await one.dispatch('AFTER_CLOSE');
      // A round trip on B's connection: whatever the bus had routed to B before it arrives ahead of the reply.
      await brokerB.ready();
      expect(brokerB.stats.received).toBe(before);
      await a.close();
      await brokerA.ready();
      expect(brokerA.topics()).toEqual([]);
      expect(await backend.subscribers(prefix, `guild:${GUILD_A}`)).toSatisfy((n) => n === null || n === 0);
    });

    it('carries dispatches both ways between nodes in separate processes', { timeout: 30_000 }, async () => {
      const prefix = uniquePrefix(backend.name);
      const broker = await backend.broker(prefix);
      brokers.push(broker);
      const a = await startServer({ broker, directory: defaultDirectory() });
      servers.push(a);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./fixtures/brokerNode.ts', import.meta.url)), backend.name, prefix],
        { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
      );
      children.push(child);
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const reply = async (): Promise<Record<string, unknown>> => {
        const next = await lines.next();
        if (next.done) throw new Error('the child node exited');
        return JSON.parse(next.value) as Record<string, unknown>;
      };
      const command = (line: string) => child.stdin!.write(`${line}\n`);

      const { url } = (await reply()) as { url: string };
      const remote = new TestClient(url);
      clients.push(remote);
      await remote.opened;
      const local = await connect(a);
      clients.push(local);
      await Promise.all([local.ready('1'), remote.ready('3')]);
      command('ready');
      expect((await reply()).topics).toContain(`guild:${GUILD_A}`);
      await broker.ready();

      for (let n = 0; n < COUNT; n++) a.dispatchToGuild(GUILD_A, 'SEQ', { from: 'parent', n }, { intent: null });
      a.dispatchToGuild(GUILD_A, 'END_PARENT', {}, { intent: null });
      command(`dispatch ${GUILD_A} ${COUNT}`);
      expect(await reply()).toEqual({ sent: COUNT });
      const expected = Array.from({ length: COUNT }, (_, i) => i);
      for (const client of [local, remote]) {
        await Promise.all([client.dispatch('END_PARENT', 10_000), client.dispatch('END_CHILD', 10_000)]);
        const seq = client.received.filter((p) => p.t === 'SEQ');
        for (const from of ['parent', 'child']) {
          expect(seq.filter((p) => p.d.from === from).map((p: Payload) => p.d.n as number)).toEqual(expected);
        }
        expect(seq).toHaveLength(2 * COUNT);
      }

      command('close');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(await backend.subscribers(prefix, `guild:${GUILD_A}`)).toSatisfy((n) => n === null || n === 1);
    });
  });
}
