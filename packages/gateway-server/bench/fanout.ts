/**
 * Fan-out of one MESSAGE_CREATE to N identified sessions in one guild, over loopback, ours vs a naive `ws` broadcast
 * server (per-connection JSON.stringify + per-connection compression), with and without zlib-stream.
 *
 *   cd /work/main && node --expose-gc --import tsx packages/gateway-server/bench/fanout.ts   (FANOUT_N=10000)
 *
 * Clients run in a child process (raw `ws`, one inflate context each when compressed, JSON.parse of every frame):
 * on a 2-core box they compete with the server for CPU, so end-to-end figures are a lower bound for the server.
 * "server fan-out" is the synchronous time of the dispatch call itself (encode + frame + compress + socket write
 * for every recipient), the part the server pays.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Comparison, comparison, report } from '@concord/bench-kit';
import type { Directory } from '../src/Directory.js';
import { createGatewayServer } from '../src/GatewayServer.js';
import { startNaiveServer } from './naiveServer.js';

const N = Number(process.env.FANOUT_N ?? 10_000);
const RUNS = (process.env.FANOUT_RUNS ?? 'json,zlib-stream').split(',');
const LATENCY_ROUNDS = 5;
const BURST = 5;
const GUILD = '81384788765712384';
const INTENTS = (1 << 0) | (1 << 9) | (1 << 15);

const now = () => performance.timeOrigin + performance.now();

function message(n: number): Record<string, unknown> {
  return {
    id: String(1_200_000_000_000_000_000n + BigInt(n)),
    type: 0,
    channel_id: '81384788765712385',
    guild_id: GUILD,
    author: {
      id: '80351110224678912',
      username: 'nelly',
      global_name: 'Nelly',
      avatar: '8342729096ea3675442027381ff50dfe',
      discriminator: '0',
      public_flags: 64,
    },
    member: {
      roles: ['41771983423143936'],
      joined_at: '2015-04-26T06:26:56.936000+00:00',
      deaf: false,
      mute: false,
      flags: 0,
    },
    content:
      'Supa Hot — a realistic two-sentence message so the payload has the size of real chat traffic, emoji 🔥 included.',
    timestamp: '2026-11-26T05:00:00.000000+00:00',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
    components: [],
    nonce: String(now()),
  };
}

const directory: Directory = {
  guildsOf: () => [GUILD],
  // A large guild: GUILD_CREATE carries no member list, as on Discord.
  guild: () => ({
    id: GUILD,
    name: 'bench',
    channels: [{ id: '81384788765712385', type: 0 }],
    roles: [],
    members: [],
    member_count: N,
  }),
  members: () => [],
  presences: () => [],
  canView: () => true,
};

interface Reply {
  type: string;
  latencies?: number[];
  received?: number;
  lastAt?: number;
  count?: number;
}

function child(): Promise<{ proc: ChildProcess; next: (type: string) => Promise<Reply> }> {
  const proc = fork(fileURLToPath(new URL('./clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  proc.on('exit', (code) => {
    if (code !== 0) {
      console.error(`client process exited with ${code}`);
      process.exit(1);
    }
  });
  const queue: Reply[] = [];
  const waiters: { type: string; resolve: (r: Reply) => void }[] = [];
  proc.on('message', (m: Reply) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i === -1) queue.push(m);
    else waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = (type: string) =>
    new Promise<Reply>((resolve) => {
      const i = queue.findIndex((m) => m.type === type);
      if (i !== -1) resolve(queue.splice(i, 1)[0]!);
      else waiters.push({ type, resolve });
    });
  return next('alive').then(() => ({ proc, next }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Result {
  deliveriesPerSec: number;
  serverPerSec: number;
  p50: number;
  p99: number;
}

async function run(kind: 'ours' | 'naive', compress: boolean, localAddress: string): Promise<Result> {
  let url: string;
  let dispatch: (data: unknown) => void;
  let close: () => Promise<void>;
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
      authenticate: (token) => ({ user: { id: String(Number(token.slice(6)) + 1), username: 'bench' } }),
    });
    url = gateway.url;
    dispatch = (data) => gateway.dispatchToGuild(GUILD, 'MESSAGE_CREATE', data);
    close = () => gateway.close();
  } else {
    const naive = await startNaiveServer();
    url = naive.url;
    dispatch = (data) => naive.broadcast('MESSAGE_CREATE', data);
    close = () => naive.close();
  }
  const { proc, next } = await child();
  proc.send({
    type: 'start',
    url,
    count: N,
    query: `v=10&encoding=json${compress ? '&compress=zlib-stream' : ''}`,
    localAddress,
    intents: INTENTS,
    parse: true,
  });
  const t0 = Date.now();
  await next('ready');
  console.error(`${kind} ${compress ? 'zlib' : 'json'}: ${N} clients identified in ${Date.now() - t0} ms`);
  globalThis.gc?.();

  const serverTimes: number[] = [];
  const wallTimes: number[] = [];
  const latencies: number[] = [];
  for (let round = 0; round < LATENCY_ROUNDS + 1; round++) {
    proc.send({ type: 'expect', total: N });
    // CPU time, not wall time: on a shared box the scheduler would otherwise dominate the figure.
    const cpu = process.cpuUsage();
    const wall = performance.now();
    dispatch(message(round));
    const used = process.cpuUsage(cpu);
    serverTimes.push((used.user + used.system) / 1000);
    wallTimes.push(performance.now() - wall);
    await next('done');
    proc.send({ type: 'collect' });
    const collected = await next('collected');
    // The first round warms up the JIT and the sockets.
    if (round >= 1) latencies.push(...collected.latencies!);
    else {
      serverTimes.pop();
      wallTimes.pop();
    }
  }
  proc.send({ type: 'expect', total: N * BURST });
  const start = now();
  for (let i = 0; i < BURST; i++) dispatch(message(100 + i));
  const done = await next('done');
  const deliveriesPerSec = (N * BURST * 1000) / (done.lastAt! - start);
  proc.send({ type: 'collect' });
  await next('collected');
  proc.send({ type: 'stop' });
  await new Promise((r) => proc.once('exit', r));
  await close();

  latencies.sort((a, b) => a - b);
  serverTimes.sort((a, b) => a - b);
  const serverMedian = serverTimes[serverTimes.length >> 1]!;
  console.error(
    `${kind} ${compress ? 'zlib' : 'json'}: server ${serverMedian.toFixed(1)} ms CPU (${wallTimes.sort((a, b) => a - b)[wallTimes.length >> 1]!.toFixed(1)} ms wall) per dispatch, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${deliveriesPerSec.toFixed(0)} deliveries/s`,
  );
  return {
    deliveriesPerSec,
    serverPerSec: (N * 1000) / serverMedian,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const rows: Comparison[] = [];
const started = Date.now();
let address = 2;
for (const label of RUNS) {
  const compress = label === 'zlib-stream';
  // Separate source addresses per run: 10k sockets each, and TIME_WAIT of the previous run stays out of the way.
  // Baseline first: if anything, the later run meets a warmer, busier machine.
  const naive = await run('naive', compress, `127.0.0.${address++}`);
  const ours = await run('ours', compress, `127.0.0.${address++}`);
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
    comparison(`gateway-server.fanout.${label}.p50`, 'ms', ours.p50, naive.p50, 'naive ws broadcast', true),
    comparison(`gateway-server.fanout.${label}.p99`, 'ms', ours.p99, naive.p99, 'naive ws broadcast', true),
  );
}
report(`gateway fan-out: 1 MESSAGE_CREATE → ${N} sessions in one guild (loopback, clients in a child process)`, rows, [
  'deliveries = end to end: from the dispatch call to the last client receipt, burst of 5 dispatches',
  'server = CPU time of one dispatch call (encode, frame, compress, ws.send to every socket), as deliveries/s',
  'p50/p99 = dispatch call → client receipt (JSON.parse done), one dispatch at a time, 5 rounds',
  `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
]);
process.exit(0);
