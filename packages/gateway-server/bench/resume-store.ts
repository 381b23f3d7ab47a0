/**
 * The price of resume across nodes: fan-out deliveries/s of one node with the Redis resume store (every dispatch
 * journaled per session in Redis before it is written) against the same node without it (in-memory replay buffers,
 * the default). Both use the Redis broker with history, so the only difference is the journal. N sessions in one
 * guild, bursts of messages, rounds interleaved (ours, baseline, …) and medians compared.
 *
 *   node --expose-gc --import tsx packages/gateway-server/bench/resume-store.ts   (RESUME_BENCH_N=2000, Redis on :6379)
 *
 * Clients run in child processes on raw sockets (bench/lib/clients.ts) and only count frames.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { comparison, report } from '@concord/bench-kit';
import { Redis } from 'ioredis';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import { createGatewayServer, type GatewayServer } from '../src/GatewayServer.js';
import { createRedisResumeStore } from '../src/resume/createRedisResumeStore.js';
import { oneGuildDirectory } from './lib/oneGuildDirectory.js';
import { replyQueue } from './lib/replyQueue.js';

const N = Number(process.env.RESUME_BENCH_N ?? 2000);
const BURST = Number(process.env.RESUME_BENCH_BURST ?? 20);
const ROUNDS = Number(process.env.RESUME_BENCH_ROUNDS ?? 5);
const GUILD = '81384788765712384';
const INTENTS = (1 << 0) | (1 << 9) | (1 << 15);
const REDIS = { host: '127.0.0.1', port: 6379 };

const directory = oneGuildDirectory(GUILD, N, '1');

const message = (n: number) => ({
  id: String(1_200_000_000_000_000_000n + BigInt(n)),
  channel_id: '1',
  guild_id: GUILD,
  author: { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', discriminator: '0' },
  content: 'a realistic two-sentence message, so that the payload has the size of real chat traffic. 🔥',
  timestamp: '2026-11-26T05:00:00.000000+00:00',
  tts: false,
  mentions: [],
  attachments: [],
  embeds: [],
});

interface Reply {
  type: string;
  lastAt?: number;
}

async function clients(url: string) {
  const proc: ChildProcess = fork(fileURLToPath(new URL('./lib/clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
  });
  const next = replyQueue<Reply>(proc);
  await next('alive');
  proc.send({ type: 'start', url, count: N, query: 'v=10&encoding=json', intents: INTENTS, parallel: 200 });
  await next('ready');
  await new Promise((r) => setTimeout(r, 200));
  proc.send({ type: 'arm' });
  await next('armed');
  return { proc, next };
}

async function node(journaled: boolean, prefix: string) {
  const broker = await createRedisBroker({ redis: REDIS, prefix });
  const resumeStore = journaled ? await createRedisResumeStore({ redis: REDIS, prefix }) : undefined;
  const server: GatewayServer = await createGatewayServer({
    port: 0,
    host: '127.0.0.1',
    directory,
    broker,
    ...(resumeStore ? { resumeStore } : {}),
    identifyIntervalMs: 0,
    heartbeatInterval: 3_600_000,
    identifyTimeout: 600_000,
    sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
    // Every bench client connects from loopback: no per-address Identify limit.
    identifyLimitPerAddress: false,
    authenticate: (token) => ({ user: { id: String(Number(token.slice(6)) + 1), username: 'bench' } }),
  });
  const c = await clients(server.url);
  if (server.sessionCount !== N) throw new Error(`${server.sessionCount} sessions, expected ${N}`);
  await broker.ready();
  // Let the journal learn each topic's head (and commit the cursors) before measuring.
  await new Promise((r) => setTimeout(r, 500));
  return {
    server,
    async round(base: number): Promise<number> {
      c.proc.send({ type: 'expect', total: N * BURST });
      await new Promise((r) => setTimeout(r, 20));
      const start = process.hrtime();
      for (let i = 0; i < BURST; i++)
        server.dispatchRaw('MESSAGE_CREATE', message(base + i), { type: 'guild', guildId: GUILD });
      const done = await c.next('done');
      const [s, ns] = start;
      const ms = done.lastAt! - (s * 1e3 + ns / 1e6);
      c.proc.send({ type: 'collect' });
      await c.next('collected');
      return (N * BURST * 1000) / ms;
    },
    async close() {
      c.proc.send({ type: 'stop' });
      await new Promise((r) => c.proc.once('exit', r));
      await server.close();
      await resumeStore?.close();
      await broker.close();
    },
  };
}

const started = Date.now();
const prefix = `bench${Date.now().toString(36)}:`;
const baseline = await node(false, `${prefix}a:`);
const ours = await node(true, `${prefix}b:`);
const oursRates: number[] = [];
const baseRates: number[] = [];
await ours.round(0);
await baseline.round(0);
for (let r = 1; r <= ROUNDS; r++) {
  globalThis.gc?.();
  oursRates.push(await ours.round(r * 100));
  globalThis.gc?.();
  baseRates.push(await baseline.round(r * 100));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// What the journal keeps in Redis per session: a record hash and a list of small references.
const redis = new Redis(REDIS);
const keys = await redis.keys(`${prefix}b:s:*:j`);
const sample = keys.slice(0, 50);
let bytes = 0;
let entries = 0;
for (const key of sample) {
  bytes += Number(await redis.call('MEMORY', 'USAGE', key));
  entries += await redis.llen(key);
}
const recordKeys = sample.map((k) => k.replace(/:j$/, ':r'));
let recordBytes = 0;
for (const key of recordKeys) recordBytes += Number(await redis.call('MEMORY', 'USAGE', key));
await ours.close();
await baseline.close();
const leftovers = await redis.keys(`${prefix}*`);
if (leftovers.length > 0) await redis.del(...leftovers);
await redis.quit();

report(
  `gateway-server resume store: ${N} sessions in one guild, bursts of ${BURST} messages, ${ROUNDS} rounds`,
  [
    comparison(
      'gateway-server.resume-store.fanout',
      'deliveries/s',
      median(oursRates),
      median(baseRates),
      'in-memory replay (no resume store)',
    ),
  ],
  [
    `ours (journaled) rounds: ${oursRates.map((r) => r.toFixed(0)).join(', ')}`,
    `baseline rounds: ${baseRates.map((r) => r.toFixed(0)).join(', ')}`,
    `Redis per session after the run: journal ≈ ${(bytes / Math.max(1, sample.length)).toFixed(0)} B for ` +
      `${(entries / Math.max(1, sample.length)).toFixed(0)} entries (≈ ${(bytes / Math.max(1, entries)).toFixed(0)} B/entry), ` +
      `record ≈ ${(recordBytes / Math.max(1, sample.length)).toFixed(0)} B`,
    `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ],
);
process.exit(0);
