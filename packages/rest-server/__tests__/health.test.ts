import { InMemoryBroker } from '@concord/gateway-server';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerCheck } from '../src/ops/brokerCheck.js';
import { concordHealth, type HealthPluginOptions, runHealthChecks } from '../src/ops/concordHealth.js';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function probe(options: HealthPluginOptions) {
  const app = Fastify();
  apps.push(app);
  await app.register(concordHealth, options);
  return (url: string) => app.inject({ method: 'GET', url });
}

describe('concordHealth', () => {
  it('answers /healthz 200 and /readyz 200 when every check passes', async () => {
    const get = await probe({ checks: { storage: () => 1, broker: async () => undefined } });
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.json()).toEqual({ status: 'ok', checks: { storage: { ok: true }, broker: { ok: true } } });
  });

  it('answers /readyz 503 naming the check that failed, while /healthz stays 200', async () => {
    const get = await probe({
      checks: {
        storage: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
        broker: () => undefined,
        voice: () => new Promise(() => {}),
      },
      timeoutMs: 50,
    });
    expect((await get('/healthz')).statusCode).toBe(200);
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'failing',
      checks: {
        storage: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' },
        broker: { ok: true },
        voice: { ok: false, error: 'no answer within 50 ms' },
      },
    });
  });

  it('answers /readyz 503 draining without running the checks while the server shuts down', async () => {
    let ran = 0;
    let draining = false;
    const get = await probe({ checks: { storage: () => ran++ }, draining: () => draining });
    expect((await get('/readyz')).statusCode).toBe(200);
    draining = true;
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'draining', checks: {} });
    expect(ran).toBe(1);
  });

  it('serves /metrics only when given a source, with its content type', async () => {
    const metrics = { contentType: 'text/plain; version=0.0.4', render: async () => 'concord_up 1\n' };
    const get = await probe({ metrics });
    const scraped = await get('/metrics');
    expect(scraped.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(scraped.body).toBe('concord_up 1\n');
    expect((await (await probe({}))('/metrics')).statusCode).toBe(404);
  });
});

describe('brokerCheck', () => {
  it('passes when a message goes round the broker, and unsubscribes after', async () => {
    const broker = new InMemoryBroker();
    const topics: string[] = [];
    const unsubscribe = broker.unsubscribe.bind(broker);
    broker.unsubscribe = (topic, listener) => {
      topics.push(topic);
      unsubscribe(topic, listener);
    };
    const report = await runHealthChecks({ broker: brokerCheck(broker) });
    expect(report).toEqual({ status: 'ok', checks: { broker: { ok: true } } });
    expect(topics).toEqual([expect.stringMatching(/^session:readyz-/)]);
  });

  it('fails when the broker refuses or never delivers', async () => {
    const refusing = new InMemoryBroker();
    refusing.publish = () => Promise.reject(new Error('Connection is closed.'));
    const silent = new InMemoryBroker();
    silent.publish = () => undefined;
    const report = await runHealthChecks({
      refusing: brokerCheck(refusing),
      silent: brokerCheck(silent, 20),
    });
    expect(report.checks).toEqual({
      refusing: { ok: false, error: 'Connection is closed.' },
      silent: { ok: false, error: 'no message back within 20 ms' },
    });
  });
});
