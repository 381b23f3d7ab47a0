// A node whose Redis subscriber connection drops (Redis restarted, or Redis cut a slow subscriber at its output buffer
// limit) must still deliver what was published meanwhile: the broker catches up from the topic streams.
import { setTimeout as sleep } from 'node:timers/promises';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import type { BusBroker } from '../src/brokers/BusBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const message = (n: number): BrokerMessage => ({
  event: 'SEQ',
  data: { n },
  intent: null,
  target: { type: 'guild', guildId: '1' },
  createdAt: Date.now(),
});

/** Kills this broker's subscriber connection from the server side (found by its unique connection name). */
async function killSubscriber(admin: Redis, name: string): Promise<void> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `) && / sub=[1-9]/.test(l));
  if (!line) throw new Error(`no subscriber connection named ${name}`);
  await admin.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!);
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await sleep(20);
}

describe.skipIf(!redisUp)('Redis broker catch-up after a subscriber reconnect', () => {
  for (const history of [true, false] as const) {
    it(history
      ? 'delivers every message published while disconnected, once, in order'
      : 'without history it cannot (the control: this test notices a loss)', async () => {
      const prefix = `catchup${Date.now().toString(36)}${process.pid}${history ? 'h' : 'n'}:`;
      const name = `catchup-${process.pid}-${Date.now().toString(36)}-${history}`;
      const admin = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
      cleanups.push(() => admin.quit());
      const brokers: BusBroker[] = [];
      const open = async (redis: object) => {
        const broker = await createRedisBroker({ redis, prefix, ...(history ? {} : { history: false }) });
        brokers.push(broker);
        cleanups.push(() => broker.close());
        return broker;
      };
      // The subscriber retries after 300 ms, so the messages below are surely published while it is away.
      const node = await open({ host: '127.0.0.1', port: 6379, connectionName: name, retryStrategy: () => 300 });
      const publisher = await open({ host: '127.0.0.1', port: 6379 });

      const received: number[] = [];
      node.subscribe('guild:1', (m) => received.push((m.data as { n: number }).n));
      await node.ready();
      await sleep(50); // the subscription's stream tail is read in the background
      for (let n = 1; n <= 5; n++) await publisher.publish('guild:1', message(n));
      await until(() => received.length >= 5);
      expect(received).toEqual([1, 2, 3, 4, 5]);

      // A second topic that had delivered nothing before the drop: its catch-up starts at the stream's tail as it
      // was when subscribed (a message published before the subscription must not be delivered).
      await publisher.publish('guild:2', message(100));
      const second: number[] = [];
      node.subscribe('guild:2', (m) => second.push((m.data as { n: number }).n));
      await node.ready();
      await sleep(50);

      await killSubscriber(admin, name);
      for (let n = 6; n <= 10; n++) await publisher.publish('guild:1', message(n));
      await publisher.publish('guild:2', message(101));
      await sleep(600); // reconnected and caught up
      for (let n = 11; n <= 15; n++) await publisher.publish('guild:1', message(n));
      await until(() => received.at(-1) === 15);

      const all = Array.from({ length: 15 }, (_, i) => i + 1);
      if (history) {
        expect(received).toEqual(all);
        expect(second).toEqual([101]);
      } else expect(received).not.toEqual(all);
    }, 15_000);
  }
});
