import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import { createNatsBroker } from '../src/brokers/createNatsBroker.js';

// This test runs its own nats-server (it has to stop and restart it), so it needs the binary rather than the service.
const hasBinary = spawnSync('nats-server', ['--version']).status === 0;
if (!hasBinary) {
  const how = 'install it with: apt-get install nats-server (or run bash .ci/services/nats.sh start)';
  if (process.env.CI === 'true') throw new Error(`nats-server binary not found; ${how}`);
  console.warn(`[skip] NATS reconnect test: nats-server binary not found; ${how}`);
}

const freePort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
};

const startNats = async (port: number): Promise<ChildProcess> => {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  for (let i = 0; i < 100 && !log.includes('Server is ready'); i++) await sleep(50);
  if (!log.includes('Server is ready')) throw new Error(`nats-server did not start: ${log}`);
  return child;
};

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
};

const message = (n: number): BrokerMessage => ({
  event: 'MESSAGE_CREATE',
  data: { n },
  intent: null,
  target: { type: 'guild', guildId: '1' },
  createdAt: Date.now(),
});

describe.skipIf(!hasBinary)('NATS broker reconnects', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
  });

  it('keeps reconnecting past nats.js’s default 10 attempts and delivers again once the server is back', {
    timeout: 20_000,
  }, async () => {
    const port = await freePort();
    let server = await startNats(port);
    cleanup.push(() => stop(server));
    // Fast, unjittered retries: 1.5 s of outage is ~30 attempts, three times what nats.js allows by default.
    const nats = { servers: `127.0.0.1:${port}`, reconnectTimeWait: 50, reconnectJitter: 0 };
    const errors: unknown[] = [];
    const publisher = await createNatsBroker({ nats, onError: (e) => errors.push(e) });
    const subscriber = await createNatsBroker({ nats, onError: (e) => errors.push(e) });
    cleanup.push(
      () => publisher.close(),
      () => subscriber.close(),
    );
    const received: number[] = [];
    subscriber.subscribe('guild:1', (m) => received.push((m.data as { n: number }).n));
    await subscriber.ready();

    publisher.publish('guild:1', message(1));
    for (let i = 0; i < 100 && received.length < 1; i++) await sleep(20);
    expect(received).toEqual([1]);

    await stop(server);
    await sleep(1500);
    server = await startNats(port);

    // Both connections come back by themselves and the subscription is re-sent by the client.
    let delivered = false;
    for (let i = 0; i < 200 && !delivered; i++) {
      await subscriber.ready().catch(() => undefined);
      try {
        publisher.publish('guild:1', message(2));
      } catch {
        // still reconnecting
      }
      await sleep(50);
      delivered = received.includes(2);
    }
    expect(delivered).toBe(true);
    expect(received[0]).toBe(1);
  });
});
