// One gateway node of the cluster, run as a child process by Cluster.ts:
//   node --import tsx src/node.ts   (env: NODE_NAME, REDIS_URL, PREFIX, RESUME_URL, PORT, DRAIN_WAVE, DRAIN_INTERVAL_MS)
// Prints JSON lines: {"listening": "ws://…"} once up, {"drained": DrainStats} after a drain. A drain starts on SIGTERM,
// on a "drain" line on stdin, or when stdin closes (the parent is gone); the process exits 0 once drained (server,
// and its Redis ports closed).
import { createInterface } from 'node:readline';
import { createGatewayServer } from '@concord/gateway-server';
import { createRedisCluster } from '@concord/gateway-server/redis';
import { authenticate, demoDirectory } from './world.js';

const env = process.env;
// Test runs only (__tests__/contractSetup.ts): dispatches are held to Discord's shapes, violations appended to this file.
if (env.CONCORD_CONTRACT_CHECK) {
  const { installContractCheck } = await import('@concord/gateway-server/contract');
  installContractCheck({ file: env.CONCORD_CONTRACT_CHECK });
}
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = env.PREFIX ?? 'concord:cluster:';
const say = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

// Broker (with the topic histories), resume store, identify throttle and session-start limiter, all under `prefix`:
// every node and the publisher share them, so a session resumes on any node and the limits hold cluster-wide.
const redis = await createRedisCluster({
  redis: redisUrl,
  prefix,
  // The demo identifies all its clients at once; a real fleet keeps Discord's 5000 ms per bucket.
  identifyThrottle: { intervalMs: 0 },
});
const server = await createGatewayServer({
  host: '127.0.0.1',
  port: Number(env.PORT ?? 0),
  authenticate,
  directory: demoDirectory(),
  broker: redis.broker,
  resumeStore: redis.resumeStore,
  identifyThrottle: redis.identifyThrottle,
  sessionStartLimiter: redis.sessionStartLimiter,
  // Clients resume through the balancer, which picks a live node.
  ...(env.RESUME_URL ? { resumeGatewayUrl: env.RESUME_URL } : {}),
  heartbeatInterval: 10_000,
  // Behind the balancer every client has its address: a per-address Identify limit would count them all as one.
  identifyLimitPerAddress: false,
});
say({ listening: server.url });

let draining: Promise<void> | null = null;
const drain = (): Promise<void> =>
  (draining ??= (async () => {
    const stats = await server.drain({
      waveSize: env.DRAIN_WAVE
        ? env.DRAIN_WAVE.endsWith('%')
          ? (env.DRAIN_WAVE as `${number}%`)
          : Number(env.DRAIN_WAVE)
        : '10%',
      waveIntervalMs: Number(env.DRAIN_INTERVAL_MS ?? 200),
      timeoutMs: 20_000,
    });
    await redis.close();
    say({ drained: stats });
    process.exit(0);
  })());

process.on('SIGTERM', () => void drain());
process.on('SIGINT', () => void drain());
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'drain') void drain();
}
// stdin closed: the cluster process is gone (crashed or killed); drain rather than linger as an orphan.
void drain();
