/**
 * Memory per idle identified session: N sessions (default 20 000) connected over loopback from two child processes,
 * heap and RSS of the server process before and after, divided by N.
 *
 *   cd /work/main && node --expose-gc --import tsx packages/gateway-server/bench/memory.ts   (MEMORY_N=20000)
 *
 * The server process needs more than N file descriptors: the script re-executes itself under `ulimit -n 65536`
 * (root can raise the hard limit; otherwise raise it yourself before running).
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { comparison, report } from '@concord/bench-kit';
import type { Directory } from '../src/Directory.js';
import { createGatewayServer } from '../src/GatewayServer.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { Session } from '../src/Session.js';

const self = fileURLToPath(import.meta.url);

if (!process.env.CONCORD_BENCH_ULIMIT) {
  const result = spawnSync(
    'sh',
    [
      '-c',
      'ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"',
      process.execPath,
      ...process.execArgv,
      self,
    ],
    { stdio: 'inherit', env: { ...process.env, CONCORD_BENCH_ULIMIT: '1' } },
  );
  process.exit(result.status ?? 1);
}

// One server-side descriptor per session: stay under the descriptor limit we ended up with.
const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 20_000;
const N = Math.min(Number(process.env.MEMORY_N ?? 20_000), fdLimit - 500);
if (N < Number(process.env.MEMORY_N ?? 20_000)) {
  console.error(`ulimit -n is ${fdLimit} here (and cannot be raised): measuring ${N} sessions`);
}
const GUILD = '81384788765712384';
const directory: Directory = {
  guildsOf: () => [GUILD],
  guild: () => ({
    id: GUILD,
    name: 'bench',
    channels: [{ id: '1', type: 0 }],
    roles: [],
    members: [],
    member_count: N,
  }),
  members: () => [],
  presences: () => [],
  canView: () => true,
};

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) globalThis.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

function clients(count: number, url: string, localAddress: string, offset: number): Promise<ChildProcess> {
  const proc = fork(fileURLToPath(new URL('./clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => {
    proc.on('message', (m: { type: string }) => {
      if (m.type === 'alive') {
        proc.send({
          type: 'start',
          url,
          count,
          query: 'v=10&encoding=json',
          localAddress,
          intents: 1 | (1 << 9),
          parse: false,
          offset,
        });
      } else if (m.type === 'ready') resolve(proc);
      else if (m.type === 'failed') {
        console.error('client process failed:', m);
        process.exit(1);
      }
    });
  });
}

const gateway = await createGatewayServer({
  port: 0,
  host: '127.0.0.1',
  directory,
  identifyIntervalMs: 0,
  // The bench clients do not heartbeat; keep the server from timing them out (4009) mid-run.
  heartbeatInterval: 3_600_000,
  identifyTimeout: 600_000,
  sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
  authenticate: (token) => ({ user: { id: token.slice(6), username: 'idle' } }),
});
const started = Date.now();
const before = settle();
const half = Math.floor(N / 2);
const procs = await Promise.all([
  clients(half, gateway.url, '127.0.0.2', 0),
  clients(N - half, gateway.url, '127.0.0.3', half),
]);
await new Promise((r) => setTimeout(r, 1000));
const after = settle();
const sessions = gateway.sessionCount;
const heapPer = (after.heap - before.heap) / sessions;
const rssPer = (after.rss - before.rss) / sessions;

// What the gateway's own state costs: the same number of Session objects with one dispatch in their replay buffer.
const probeBefore = settle();
const probe: Session[] = [];
const ready = new PreparedDispatch('READY', {});
for (let i = 0; i < sessions; i++) {
  const s = new Session({
    sessionId: `${i}`.padStart(32, '0'),
    auth: { user: { id: String(i), username: 'idle' } },
    intents: 513,
    shard: [0, 1],
    largeThreshold: 50,
    replayBufferSize: 1000,
  });
  s.send(ready, true);
  s.guilds.add(GUILD);
  probe.push(s);
}
const sessionPer = (settle().heap - probeBefore.heap) / sessions;

for (const p of procs) p.send({ type: 'stop' });
await gateway.close();
report(
  `gateway memory: ${sessions} idle identified sessions (JSON, no compression)`,
  [
    comparison('gateway-server.memory.heap_per_session', 'bytes', heapPer, 12 * 1024, 'goal 12 KiB', true),
    comparison('gateway-server.memory.rss_per_session', 'bytes', rssPer, 12 * 1024, 'goal 12 KiB', true),
  ],
  [
    `of the heap per session, the gateway's Session + replay buffer ≈ ${Math.round(sessionPer)} B; the rest is the ws`,
    'WebSocket, its Receiver/Sender and the net.Socket (+ libuv/kernel buffers in RSS)',
    `probe kept ${probe.length} sessions; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ],
);
process.exit(0);
