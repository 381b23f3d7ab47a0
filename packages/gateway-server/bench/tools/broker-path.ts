/**
 * The broker path alone, per message: two processes joined by a bus broker (Redis or NATS), both subscribed to the
 * same guild topics (two gateway nodes whose guilds have members on both; `host`: two processes of one host over the
 * host links, src/host/HostBroker.ts), one of them publishing
 * `BROKER_PATH_RATE` msg/s (240) of the load test's MESSAGE_CREATE on load.ts's 5 ms publisher tick. Each listener does
 * what fan-out does once per message before its per-recipient work (the dispatch and its JSON frame, spliced from the
 * bus body or encoded in process), so what is left is the bus's own cost: µs of CPU per message on the publishing
 * process (which also gets its own messages back) and on the receiving one, against `memory` (the in-process broker,
 * one process) for the same publisher. Also printed: CPU ticks per thread (/proc), to tell the main thread's work
 * from GC/compiler threads.
 *
 *   BROKER_PATH_KIND=redis|nats|host|memory BROKER_PATH_RATE=240 BROKER_PATH_S=4 BROKER_PATH_WARM=6000 \
 *     node --import tsx packages/gateway-server/bench/tools/broker-path.ts
 *
 * BROKER_PATH_WARM publishes that many messages at 2,000 msg/s first (0, the default: the code as cold as in a short
 * load.ts run, where the broker path runs once per message while fan-out runs once per recipient and warms up first).
 * BROKER_PATH_NODE_ARGS passes Node flags to both processes (`--cpu-prof --cpu-prof-dir=<dir>`,
 * `--perf-basic-prof-only-functions`); BROKER_PATH_PIDS=<path> writes their pids to `<path>.pub` / `<path>.sub` (for
 * `perf record -p`). A diagnostic, in tools/ so `npm run bench` does not run it (it prints figures, not a comparison
 * line, and needs the broker's server running).
 */
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splicedBody } from '../../src/brokers/brokerCodec.js';
import { type Broker, type BrokerMessage, InMemoryBroker } from '../../src/index.js';
import { PreparedDispatch } from '../../src/PreparedDispatch.js';
import { getEncoding } from '../../src/wire/protocol.js';
import { guildId, message } from '../lib/load/fixtures.js';

const kind = process.env.BROKER_PATH_KIND ?? 'redis';
const rate = Number(process.env.BROKER_PATH_RATE ?? 240);
const seconds = Number(process.env.BROKER_PATH_S ?? 6);
const GUILDS = 30;
const prefix = `bp${process.env.BROKER_PATH_ID ?? process.pid}:`;

type Opened = Broker & { close?(): unknown; ready?(): Promise<void>; listenersOf?(topic: string): string[] };

async function open(name: 'pub' | 'sub'): Promise<Opened> {
  if (kind === 'host') {
    // Two processes of one host joined by the host links (no primary: each is told of the other directly).
    const { HostBroker } = await import('../../src/host/HostBroker.js');
    const dir = join(tmpdir(), `broker-path-${process.env.BROKER_PATH_ID ?? process.pid}`);
    mkdirSync(dir, { recursive: true });
    const broker = await HostBroker.listen({ id: name, path: join(dir, `${name}.sock`) });
    broker.setPeers((['pub', 'sub'] as const).map((id) => ({ id, path: join(dir, `${id}.sock`) })));
    return broker;
  }
  if (kind === 'redis') {
    const { createRedisBroker } = await import('../../src/redis/index.js');
    return createRedisBroker({ prefix });
  }
  if (kind === 'nats') {
    const { createNatsBroker } = await import('../../src/brokers/nats.js');
    return createNatsBroker({ prefix: prefix.replaceAll(':', '.') });
  }
  return new InMemoryBroker();
}

/** CPU ticks (utime + stime, 1/100 s) per thread name of this process: which thread the CPU goes to. */
function threadTicks(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[`${comm}#${tid === String(process.pid) ? 'main' : tid}`] = Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return out;
}

let received = 0;
const json = getEncoding('json');
// What fan-out does once per message before its per-recipient work: the dispatch and its JSON frame (spliced from the
// bus body, or encoded from `data` in process).
const listener = (m: BrokerMessage): void => {
  received++;
  const body = splicedBody(m);
  const dispatch =
    body !== undefined
      ? PreparedDispatch.spliced(m.event, body, m.createdAt)
      : new PreparedDispatch(m.event, m.data, m.createdAt);
  dispatch.frame(json, true, received);
};

async function role(name: 'pub' | 'sub'): Promise<void> {
  const broker = await open(name);
  for (let g = 0; g < GUILDS; g++) await broker.subscribe(`guild:${guildId(g)}`, listener);
  await broker.ready?.();
  // Host links: the publisher waits until it knows the other process listens to every guild.
  if (name === 'pub' && broker.listenersOf !== undefined) {
    const all = () =>
      Array.from({ length: GUILDS }, (_, g) => guildId(g)).every((g) => broker.listenersOf!(`guild:${g}`).length > 0);
    while (!all()) await new Promise((r) => setTimeout(r, 20));
  }
  if (process.env.BROKER_PATH_PIDS) writeFileSync(`${process.env.BROKER_PATH_PIDS}.${name}`, String(process.pid));
  process.send!({ ready: true });
  await new Promise((r) => process.once('message', r));
  // A warm-up of BROKER_PATH_WARM messages at 2,000 msg/s first (0 = none: the path as cold as a short bench has it),
  // then one second at the measured rate before measuring.
  const warmMessages = Number(process.env.BROKER_PATH_WARM ?? 0);
  const warmMs = (warmMessages / 2000) * 1000;
  const settle = 1000;
  let sent = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  let ticks0: Record<string, number> = {};
  let received0 = 0;
  const t0 = performance.now();
  const t1 = t0 + warmMs;
  const measureFrom = t1 + settle;
  const end = measureFrom + seconds * 1000;
  const publishOne = (due: number): void => {
    const g = sent % GUILDS;
    broker.publish(`guild:${guildId(g)}`, {
      event: 'MESSAGE_CREATE',
      data: message(sent, g, due),
      intent: 1 << 9,
      target: { type: 'guild', guildId: guildId(g) },
      createdAt: Date.now(),
    });
    sent++;
  };
  const timer = setInterval(() => {
    const now = performance.now();
    if (cpu0 === null && now >= measureFrom) {
      cpu0 = process.cpuUsage();
      ticks0 = threadTicks();
      received0 = received;
    }
    if (name === 'pub') {
      if (now < t1)
        for (let due = t0 + sent / 2; due <= now && sent < warmMessages; due = t0 + sent / 2) publishOne(due);
      else {
        const n = () => sent - warmMessages;
        for (let due = t1 + (n() * 1000) / rate; due <= now && due < end; due = t1 + (n() * 1000) / rate) {
          publishOne(due);
        }
      }
    }
    if (now >= end) {
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0!);
      const n = received - received0;
      const ticks = threadTicks();
      const threads = Object.entries(ticks)
        .map(([k, v]) => [k, v - (ticks0[k] ?? 0)] as const)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      process.send!({ name, cpuUs: cpu.user + cpu.system, user: cpu.user, system: cpu.system, received: n, threads });
      setTimeout(async () => {
        await broker.close?.();
        process.exit(0);
      }, 300);
    }
  }, 5);
}

if (process.argv[2] === 'pub' || process.argv[2] === 'sub') void role(process.argv[2]);
else {
  const self = fileURLToPath(import.meta.url);
  const roles = kind === 'memory' ? (['pub'] as const) : (['pub', 'sub'] as const);
  const kids = roles.map((r) =>
    fork(self, [r], {
      env: { ...process.env, BROKER_PATH_ID: String(process.pid) },
      execArgv: ['--import', 'tsx', ...(process.env.BROKER_PATH_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    }),
  );
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  for (const k of kids) k.send('go');
  const results = await Promise.all(
    kids.map((k) => new Promise<Record<string, number | string>>((r) => k.once('message', r))),
  );
  const msgs = rate * seconds;
  for (const r of results) {
    console.log(
      `${kind} ${r.name}: ${((r.cpuUs as number) / msgs).toFixed(1)} µs CPU/msg (user ${((r.user as number) / msgs).toFixed(1)}, sys ${((r.system as number) / msgs).toFixed(1)}), received ${r.received}/${msgs}; thread ticks ${r.threads}`,
    );
  }
}
