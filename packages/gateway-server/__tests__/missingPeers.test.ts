import { describe, expect, it, vi } from 'vitest';
import { GatewayServerError } from '../src/GatewayServerError.js';
import { requireOptional } from '../src/optionalDependency.js';

// ioredis and nats are installed in this repository; here Node's resolver is made to say they are not, as it does
// for a user who installed only @concord/gateway-server.
const ABSENT = new Set(['ioredis', 'nats']);

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  return {
    ...actual,
    createRequire(url: string | URL) {
      const real = actual.createRequire(url);
      return Object.assign((name: string) => {
        if (ABSENT.has(name)) {
          throw Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/x.cjs`), {
            code: 'MODULE_NOT_FOUND',
          });
        }
        return real(name);
      }, real);
    },
  };
});

const { createRedisBroker, createRedisCluster, createRedisResumeStore } = await import('../src/redis/index.js');
const { createNatsBroker } = await import('../src/brokers/nats.js');

function expectMissing(error: unknown, packageName: string): void {
  expect(error).toBeInstanceOf(GatewayServerError);
  const missing = error as GatewayServerError;
  expect(missing.code).toBe('MISSING_DEPENDENCY');
  expect(missing.message).toContain(`npm install ${packageName}`);
  expect((missing.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
}

/** What `run` throws or rejects with (the factories are synchronous or async). */
async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('an optional peer that is not installed', () => {
  it('the Redis parts name ioredis', async () => {
    expectMissing(await failureOf(() => createRedisBroker({ redis: 'redis://127.0.0.1:1' })), 'ioredis');
    expectMissing(await failureOf(() => createRedisResumeStore({ redis: 'redis://127.0.0.1:1' })), 'ioredis');
    expectMissing(await failureOf(() => createRedisCluster({ redis: 'redis://127.0.0.1:1' })), 'ioredis');
  });

  it('the NATS broker names nats', async () => {
    expectMissing(await createNatsBroker({ nats: { servers: '127.0.0.1:1' } }).catch((e: unknown) => e), 'nats');
  });

  it('other load failures pass through unchanged', async () => {
    const broken = new Error('broken');
    expect(
      await failureOf(() =>
        requireOptional('ioredis', 'x', () => {
          throw broken;
        }),
      ),
    ).toBe(broken);
  });
});
