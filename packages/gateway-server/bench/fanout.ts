/**
 * Fan-out of one MESSAGE_CREATE to N identified sessions in one guild, over loopback, ours vs a naive `ws` broadcast
 * server (per-connection JSON.stringify + per-connection compression), with and without zlib-stream.
 *
 *   node --expose-gc --import tsx packages/gateway-server/bench/fanout.ts   (FANOUT_N=10000)
 *
 * Clients run in one child process on raw `net` sockets (bench/lib/clients.ts): after READY they only walk WebSocket
 * frame headers and stamp each frame's arrival on CLOCK_MONOTONIC, which the server process reads too, so
 * dispatch → receipt needs no payload decoding and costs the same for both servers. On a 2-core box the client still
 * competes with the server for CPU, so end-to-end figures are a lower bound; "server CPU" is the process CPU time of
 * the dispatch call itself (encode, frame, compress and socket write for every recipient), the part the server pays.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Comparison, comparison, report } from '@concord/bench-kit';
import { createGatewayServer } from '../src/GatewayServer.js';
import { chatMessage } from './lib/chatMessage.js';
import { startNaiveServer } from './lib/naiveServer.js';
import { oneGuildDirectory } from './lib/oneGuildDirectory.js';
import { replyQueue } from './lib/replyQueue.js';

const N = Number(process.env.FANOUT_N ?? 10_000);
const RUNS = (process.env.FANOUT_RUNS ?? 'json,zlib-stream').split(',');
const LATENCY_ROUNDS = Number(process.env.FANOUT_ROUNDS ?? 3);
const BURST = 5;
/** Connections opened at once: more than the listen backlog (511) costs SYN retransmits. */
const PARALLEL = Number(process.env.FANOUT_PARALLEL ?? 256);
const GUILD = '81384788765712384';
const INTENTS = (1 << 0) | (1 << 9) | (1 << 15);

/** Milliseconds on CLOCK_MONOTONIC: the clock the client process stamps receipts with. */
const now = (): number => {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
};

const CHANNEL = '81384788765712385';

function message(n: number): Record<string, unknown> {
  return { ...chatMessage(String(1_200_000_000_000_000_000n + BigInt(n)), CHANNEL, GUILD), nonce: String(now()) };
}

// A large guild: GUILD_CREATE carries no member list, as on Discord.
const directory = oneGuildDirectory(GUILD, N, CHANNEL);

interface Reply {
  type: string;
  times?: number[];
  lastAt?: number;
}

function child(): Promise<{ proc: ChildProcess; next: (type: string) => Promise<Reply> }> {
  const proc = fork(fileURLToPath(new URL('./lib/clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  proc.on('exit', (code) => {
    if (code !== 0) {
      console.error(`client process exited with ${code}`);
      process.exit(1);
    }
  });
  const next = replyQueue<Reply>(proc);
  return next('alive').then(() => ({ proc, next }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Result {
  deliveriesPerSec: number;
  serverPerSec: number;
  /** The same, user-space CPU only: the part that is not the kernel's loopback TCP work. */
  serverUserPerSec: number;
  p50: number;
  p99: number;
}

async function run(kind: 'ours' | 'naive', compress: boolean): Promise<Result> {
  let url: string;
  let dispatch: (data: unknown) => void;
  let close: () => Promise<void>;
  let identified = (): number => N;
  if (kind === 'ours') {
    const gateway = await createGatewayServer({
      port: 0,
      host: '127.0.0.1',
      directory,
      identifyIntervalMs: 0,
      // The bench clients do not heartbeat; keep the server from timing them out (4009) mid-run.
      heartbeatInterval: 3_600_000,
      identifyTimeout: 600_000,
      sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
      // Every bench client connects from loopback: no per-address Identify limit.
      identifyLimitPerAddress: false,
      authenticate: (token) => ({ user: { id: String(Number(token.slice(6)) + 1), username: 'bench' } }),
    });
    url = gateway.url;
    dispatch = (data) => gateway.dispatchRaw('MESSAGE_CREATE', data, { type: 'guild', guildId: GUILD });
    close = () => gateway.close();
    identified = () => gateway.sessionCount;
  } else {
    const naive = await startNaiveServer();
    url = naive.url;
    dispatch = (data) => naive.broadcast('MESSAGE_CREATE', data);
    close = () => naive.close();
  }
  const label = `${kind} ${compress ? 'zlib' : 'json'}`;
  const { proc, next } = await child();
  const t0 = Date.now();
  proc.send({
    type: 'start',
    url,
    count: N,
    query: `v=10&encoding=json${compress ? '&compress=zlib-stream' : ''}`,
    intents: INTENTS,
    parallel: PARALLEL,
  });
  await next('ready');
  // Let the GUILD_CREATEs that follow READY arrive before the client stops decoding.
  await new Promise((r) => setTimeout(r, 100));
  if (identified() !== N) throw new Error(`${label}: ${identified()} sessions identified, expected ${N}`);
  proc.send({ type: 'arm' });
  await next('armed');
  const setupMs = Date.now() - t0;
  console.error(`${label}: ${N} clients identified in ${setupMs} ms`);
  globalThis.gc?.();

  const serverTimes: number[] = [];
  const wallTimes: number[] = [];
  const systemTimes: number[] = [];
  const latencies: number[] = [];
  for (let round = 0; round < LATENCY_ROUNDS + 1; round++) {
    proc.send({ type: 'expect', total: N });
    await new Promise((r) => setTimeout(r, 20));
    // CPU time, not wall time: on a shared box the scheduler would otherwise dominate the figure.
    const data = message(round);
    const cpu = process.cpuUsage();
    const start = now();
    dispatch(data);
    // Up to the next check phase: writes deferred to process.nextTick (coalescing) are part of the dispatch's cost.
    await new Promise((r) => setImmediate(r));
    const wall = now() - start;
    const used = process.cpuUsage(cpu);
    await next('done');
    proc.send({ type: 'collect' });
    const { times } = await next('collected');
    // The first round warms up the JIT and the sockets.
    if (round === 0) continue;
    serverTimes.push((used.user + used.system) / 1000);
    systemTimes.push(used.system / 1000);
    wallTimes.push(wall);
    for (const t of times!) latencies.push(t - start);
  }
  proc.send({ type: 'expect', total: N * BURST });
  const burst = Array.from({ length: BURST }, (_, i) => message(100 + i));
  const start = now();
  for (const data of burst) dispatch(data);
  const done = await next('done');
  const deliveriesPerSec = (N * BURST * 1000) / (done.lastAt! - start);
  proc.send({ type: 'collect' });
  await next('collected');
  const teardown = Date.now();
  proc.send({ type: 'stop' });
  await new Promise((r) => proc.once('exit', r));
  await close();
  console.error(`${label}: measured in ${teardown - t0 - setupMs} ms, torn down in ${Date.now() - teardown} ms`);

  latencies.sort((a, b) => a - b);
  const serverMedian = median(serverTimes);
  const result = {
    deliveriesPerSec,
    serverPerSec: (N * 1000) / serverMedian,
    serverUserPerSec: (N * 1000) / median(serverTimes.map((t, i) => t - systemTimes[i]!)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
  console.error(
    `${label}: server ${serverMedian.toFixed(1)} ms CPU (${median(systemTimes).toFixed(1)} ms of it in the kernel, ` +
      `${median(wallTimes).toFixed(1)} ms wall) per dispatch, ` +
      `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${deliveriesPerSec.toFixed(0)} deliveries/s`,
  );
  return result;
}

const rows: Comparison[] = [];
const started = Date.now();
for (const label of RUNS) {
  const compress = label === 'zlib-stream';
  // No source address per run: each server listens on a new port, so the kernel may reuse client ports of the
  // previous run (TIME_WAIT) and picks them at connect() in O(1). Baseline first: if anything, the later run meets a warmer, busier machine.
  const naive = await run('naive', compress);
  const ours = await run('ours', compress);
  rows.push(
    comparison(
      `gateway-server.fanout.${label}.deliveries`,
      'deliveries/s',
      ours.deliveriesPerSec,
      naive.deliveriesPerSec,
      'naive ws broadcast',
    ),
    comparison(
      `gateway-server.fanout.${label}.server`,
      'deliveries/s',
      ours.serverPerSec,
      naive.serverPerSec,
      'naive ws broadcast',
    ),
    comparison(
      `gateway-server.fanout.${label}.server_user`,
      'deliveries/s',
      ours.serverUserPerSec,
      naive.serverUserPerSec,
      'naive ws broadcast',
    ),
    comparison(`gateway-server.fanout.${label}.p50`, 'ms', ours.p50, naive.p50, 'naive ws broadcast', true),
    comparison(`gateway-server.fanout.${label}.p99`, 'ms', ours.p99, naive.p99, 'naive ws broadcast', true),
  );
}
report(`gateway fan-out: 1 MESSAGE_CREATE → ${N} sessions in one guild (loopback, clients in a child process)`, rows, [
  `deliveries = end to end: from the first dispatch call to the last client receipt, burst of ${BURST} dispatches`,
  'server = process CPU time of one dispatch (encode, frame, compress, socket write to every recipient), as deliveries/s;',
  '  server_user = the same without kernel time (on loopback the kernel runs both ends of TCP inside write())',
  `p50/p99 = dispatch call → frame received by the client (CLOCK_MONOTONIC), one dispatch at a time, ${LATENCY_ROUNDS} rounds`,
  `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
]);
process.exit(0);
