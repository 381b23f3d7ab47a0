import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const url = new URL(REDIS_URL);

export const redisUp = await requireService({
  name: 'redis',
  host: url.hostname,
  port: Number(url.port || 6379),
  howToStart: 'bash .ci/services/redis.sh start',
});

/**
 * For a describe block against Redis: a key prefix of its own (so runs and files never share keys) and a client
 * factory. After the block, its keys are deleted and every client it opened is disconnected.
 */
export function redisRun(): { run: string; clients: Redis[]; client: () => Redis } {
  const run = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const clients: Redis[] = [];
  afterAll(async () => {
    const c = new Redis(REDIS_URL);
    const keys = await c.keys(`${run}:*`);
    if (keys.length) await c.del(...keys);
    await c.quit();
    for (const x of clients) x.disconnect();
  });
  const client = () => {
    const c = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };
  return { run, clients, client };
}
