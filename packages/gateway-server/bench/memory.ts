/**
 * Memory per idle identified session: N sessions (default 20 000) connected over loopback from two child processes,
 * heap and RSS of the server process before and after, divided by N.
 *
 *   node --expose-gc --import tsx packages/gateway-server/bench/memory.ts   (MEMORY_N=20000)
 *
 * The server process needs more than N file descriptors: the script re-executes itself under `ulimit -n 65536`
 * (root can raise the hard limit; otherwise raise it yourself before running).
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { getHeapSnapshot } from 'node:v8';
import { comparison, report } from '@concord/bench-kit';
import { buildGuildCreate } from '../src/buildGuildCreate.js';
import { createGatewayServer } from '../src/GatewayServer.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { Session } from '../src/session/Session.js';
import type { GuildSnapshot } from '../src/types.js';
import { oneGuildDirectory } from './lib/oneGuildDirectory.js';

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
const directory = oneGuildDirectory(GUILD, N, '1');

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) globalThis.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

function clients(count: number, url: string, offset: number): Promise<ChildProcess> {
  const proc = fork(fileURLToPath(new URL('./lib/clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => {
    proc.on('message', (m: { type: string }) => {
      if (m.type === 'alive') {
        proc.send({
          type: 'start',
          url,
          count,
          query: 'v=10&encoding=json',
          intents: 1 | (1 << 9),
          offset,
          parallel: 256,
        });
      } else if (m.type === 'ready') resolve(proc);
      else if (m.type === 'failed') {
        console.error('client process failed:', m);
        process.exit(1);
      }
    });
  });
}

/** Self size per heap node name (constructor, closure or native type), from a V8 heap snapshot. */
async function heapByName(): Promise<Map<string, { bytes: number; count: number }>> {
  globalThis.gc?.();
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snap = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = ['object', 'closure', 'native'].includes(type) ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
    const entry = out.get(name) ?? { bytes: 0, count: 0 };
    entry.bytes += snap.nodes[i + sizeAt]!;
    entry.count++;
    out.set(name, entry);
  }
  return out;
}

/**
 * What the heap per session is made of: heap snapshots before and after BREAKDOWN_N sessions (a full-size snapshot
 * would take longer than the bench), the growth per node name divided by the sessions.
 */
async function breakdown(count: number): Promise<string[]> {
  const server = await createGatewayServer({
    port: 0,
    host: '127.0.0.1',
    directory,
    identifyIntervalMs: 0,
    heartbeatInterval: 3_600_000,
    identifyTimeout: 600_000,
    sessionStartLimit: { total: 1e9, resetAfterMs: 1e9 },
    // Every bench client connects from loopback: no per-address Identify limit.
    identifyLimitPerAddress: false,
    authenticate: (token) => ({ user: { id: token.slice(6), username: 'idle' } }),
  });
  const base = await heapByName();
  const proc = await clients(count, server.url, 0);
  await new Promise((r) => setTimeout(r, 500));
  const grown = await heapByName();
  proc.send({ type: 'stop' });
  await server.close();
  const rows = [...grown]
    .map(([name, v]) => ({
      name,
      bytes: (v.bytes - (base.get(name)?.bytes ?? 0)) / count,
      n: v.count - (base.get(name)?.count ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  return [
    `heap per session by object kind (snapshot diff at ${count} sessions, ${Math.round(total)} B in all):`,
    ...rows
      .slice(0, 14)
      .map((r) => `  ${r.bytes.toFixed(0).padStart(5)} B  ${(r.n / count).toFixed(1).padStart(4)}×  ${r.name}`),
  ];
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
  // Every bench client connects from loopback: no per-address Identify limit.
  identifyLimitPerAddress: false,
  authenticate: (token) => ({ user: { id: token.slice(6), username: 'idle' } }),
});
const started = Date.now();
const before = settle();
const half = Math.floor(N / 2);
const procs = await Promise.all([clients(half, gateway.url, 0), clients(N - half, gateway.url, half)]);
await new Promise((r) => setTimeout(r, 1000));
const after = settle();
const sessions = gateway.sessionCount;
const heapPer = (after.heap - before.heap) / sessions;
const rssPer = (after.rss - before.rss) / sessions;

// What the gateway's own state costs: the same number of Session objects, each with a READY and a GUILD_CREATE of
// the server's shape in its replay buffer (as an idle session after Identify has them).
const probeBefore = settle();
const probe: Session[] = [];
const snapshot = directory.guild(GUILD) as GuildSnapshot;
for (let i = 0; i < sessions; i++) {
  const s = new Session({
    sessionId: randomBytes(16).toString('hex'),
    auth: { user: { id: String(i), username: 'idle' } },
    intents: 513,
    shard: [0, 1],
    largeThreshold: 50,
    replayBufferSize: 1000,
  });
  s.send(
    PreparedDispatch.forOne('READY', {
      v: 10,
      user: s.user,
      guilds: [{ id: GUILD, unavailable: true }],
      session_id: s.sessionId,
      resume_gateway_url: gateway.url,
      application: s.application,
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      session_type: 'normal',
    }),
    true,
  );
  s.send(PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(snapshot, s)), true);
  s.guilds.add(GUILD);
  probe.push(s);
}
const sessionPer = (settle().heap - probeBefore.heap) / sessions;

for (const p of procs) p.send({ type: 'stop' });
await gateway.close();
probe.length = 0;
const kinds = await breakdown(Number(process.env.BREAKDOWN_N ?? 2000));
report(
  `gateway memory: ${sessions} idle identified sessions (JSON, no compression)`,
  [
    comparison('gateway-server.memory.heap_per_session', 'bytes', heapPer, 12 * 1024, 'goal 12 KiB', true),
    comparison('gateway-server.memory.rss_per_session', 'bytes', rssPer, 12 * 1024, 'goal 12 KiB', true),
  ],
  [
    `of the heap per session, the gateway's own state (Session, Connection, READY + GUILD_CREATE kept for Resume)`,
    `≈ ${Math.round(sessionPer + 192)} B; the rest is its WebSocket object (GatewaySocket) and net.Socket with its stream`,
    'states and listener tables; RSS on top of the heap: V8 page slack, the TCP handle, malloc (kernel socket buffers',
    'are not in RSS)',
    ...kinds,
    `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ],
);
process.exit(0);
