/**
 * The floor under the broker path (tools/broker-path.ts): what a message crossing from one process to another costs
 * on this machine with none of our code, per side, at the same shape — `FLOOR_RATE` msg/s (240) on a 5 ms tick, the
 * same bytes (the v2 payload of the load test's ~0.8 KB MESSAGE_CREATE, src/brokers/brokerCodec.ts), 30 topics, the
 * same warm-up and window. Both processes run the 5 ms timer whether or not they publish (as broker-path.ts's do); the
 * receiver counts what arrives and does nothing else with it. Kinds (`FLOOR_KINDS`, comma-separated, all by default):
 *
 * - `idle`: the two timers alone, no messages: what the tick costs by itself.
 * - `tcp`, `unix`: two bare Node processes over loopback TCP / a Unix socket; the publisher writes the due payloads of
 *   a tick in one write (cork/uncork), the receiver counts bytes.
 * - `nats`: nats.js (the repo's version) with no code of ours: a `noEcho` connection each, a callback subscription per
 *   topic on both (as createNatsBroker has), `publish` per message (nats.js flushes once per tick).
 * - `nats-raw`: the NATS text protocol over a net.Socket: `PUB <subject> <n>` per message, one write per tick; the
 *   receiver splits `MSG <subject> <sid> <n>` frames (and answers PING) — nats.js's own cost is `nats` minus this.
 * - `redis`: ioredis (the repo's version): a `PUBLISH` per message, one `pipeline()` per tick when a tick has several;
 *   the publisher is subscribed to the topics too on a second connection, since
 *   Redis pub/sub has no `noEcho` and both nodes of the load test subscribe every guild (it reads its echo).
 * - `redis-raw`: the same in raw RESP over net.Socket: one write of the tick's PUBLISHes, replies counted; SUBSCRIBE
 *   pushes split by a minimal reader on both subscribers.
 * - `path-memory`, `path-nats`, `path-redis`: our path, tools/broker-path.ts for that kind at the same rate, window
 *   and warm-up, run in the same rounds so that the floor and ours see the same moments of the shared box.
 *
 *   FLOOR_KINDS=idle,tcp,unix,nats,nats-raw,redis,redis-raw FLOOR_REPEAT=3 FLOOR_RATE=240 FLOOR_S=6 FLOOR_WARM=6000 \
 *     node --import tsx packages/gateway-server/bench/tools/broker-floor.ts
 *
 * Prints µs of CPU (user + system, process.cpuUsage) per message on each side for each run, and per kind the median
 * over `FLOOR_REPEAT` rounds (kinds alternate within a round, so a busy moment of the shared box spreads over all of
 * them). FLOOR_NODE_ARGS passes Node flags to both processes (`--cpu-prof --cpu-prof-dir=<dir>`). Compare with broker-path.ts's lines for the same kind: the difference is our code (the broker, the codec
 * and the listener's dispatch frame). A diagnostic, in tools/ so `npm run bench` does not run it; it needs
 * nats-server and redis-server running (.ci/services/).
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBrokerPayload } from '../../src/brokers/brokerCodec.js';
import { guildId, message } from '../lib/load/fixtures.js';

const KINDS = ['idle', 'tcp', 'unix', 'nats', 'nats-raw', 'redis', 'redis-raw'] as const;
/** Our path, run by tools/broker-path.ts in the same rounds (its publisher and receiver lines). */
const PATHS = ['path-memory', 'path-nats', 'path-redis'] as const;
type Kind = (typeof KINDS)[number] | (typeof PATHS)[number];
const rate = Number(process.env.FLOOR_RATE ?? 240);
const seconds = Number(process.env.FLOOR_S ?? 6);
const warmMessages = Number(process.env.FLOOR_WARM ?? 6000);
const repeat = Number(process.env.FLOOR_REPEAT ?? 1);
const GUILDS = 30;
const NATS_PORT = 4222;
const REDIS_PORT = 6379;

/** The bytes every kind carries: the v2 payload our brokers publish for the load test's message, one per topic. */
const payloads = Array.from({ length: GUILDS }, (_, g) =>
  encodeBrokerPayload({
    event: 'MESSAGE_CREATE',
    data: message(g, g, 12345.678),
    intent: 1 << 9,
    target: { type: 'guild', guildId: guildId(g) },
    createdAt: 1_764_000_000_000,
  }),
);
const BODY = payloads[0]!.byteLength;

interface Side {
  /** Sends the tick's due messages (publisher only): topic index per message. */
  send(topics: number[]): void;
  close(): void;
}

type Count = () => void;

function once<T>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve as (value: T) => void));
}

/** Splits a byte stream into CRLF-terminated lines plus the payloads the lines announce, with no copies of payloads. */
class LineReader {
  #buffer: Buffer = Buffer.alloc(0);
  /** Bytes of payload (+ CRLF) still to skip before the next line. */
  #skip = 0;
  constructor(readonly onLine: (line: Buffer) => number) {}
  push(chunk: Buffer): void {
    let data = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, data.length);
        this.#skip -= n;
        data = data.subarray(n);
        if (this.#skip > 0) break;
      }
      const end = data.indexOf(13);
      if (end < 0 || end + 1 >= data.length) break;
      // onLine says how many payload bytes follow the line (0 for none).
      const payload = this.onLine(data.subarray(0, end));
      data = data.subarray(end + 2);
      if (payload > 0) this.#skip = payload + 2;
    }
    this.#buffer = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
  }
}

function socketTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  return once<void>(socket, 'connect').then(() => socket);
}

async function openSide(kind: Kind, name: 'pub' | 'sub', count: Count): Promise<Side> {
  const subject = (g: number) => `floor.${process.env.FLOOR_ID}.guild.${guildId(g)}`;
  const channel = (g: number) => `floor:${process.env.FLOOR_ID}:guild:${guildId(g)}`;
  if (kind === 'idle') return { send() {}, close() {} };
  if (kind === 'tcp' || kind === 'unix') {
    // The receiver listens; the publisher connects to it.
    const address = kind === 'unix' ? join(process.env.FLOOR_DIR!, 'floor.sock') : { port: 0, host: '127.0.0.1' };
    if (name === 'sub') {
      let bytes = 0;
      const server = createServer((socket) => {
        socket.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          while (bytes >= BODY) {
            bytes -= BODY;
            count();
          }
        });
      });
      server.listen(address);
      await once(server, 'listening');
      const where = server.address();
      process.send!({ address: typeof where === 'string' ? where : where!.port });
      return { send() {}, close: () => server.close() };
    }
    const where = await once<{ address: string | number }>(process, 'message');
    const socket =
      typeof where.address === 'string' ? connect(where.address) : connect({ host: '127.0.0.1', port: where.address });
    if (kind === 'tcp') socket.setNoDelay(true);
    await once(socket, 'connect');
    return {
      send(topics) {
        socket.cork();
        for (const g of topics) socket.write(payloads[g]!);
        socket.uncork();
      },
      close: () => socket.destroy(),
    };
  }
  if (kind === 'nats') {
    const { connect: natsConnect } = await import('nats');
    const nc = await natsConnect({ servers: `127.0.0.1:${NATS_PORT}`, noEcho: true });
    for (let g = 0; g < GUILDS; g++) nc.subscribe(subject(g), { callback: (_error, _msg) => count() });
    await nc.flush();
    return {
      send(topics) {
        for (const g of topics) nc.publish(subject(g), payloads[g]!);
      },
      close: () => void nc.close(),
    };
  }
  if (kind === 'nats-raw') {
    const socket = await socketTo(NATS_PORT);
    let pong: (() => void) | null = null;
    const reader = new LineReader((line) => {
      // MSG <subject> <sid> [reply-to] <#bytes>
      if (line[0] === 0x4d) {
        count();
        return Number(line.toString('latin1', line.lastIndexOf(0x20) + 1));
      }
      if (line[0] === 0x50 && line[1] === 0x49) socket.write('PONG\r\n');
      else if (line[0] === 0x50 && line[1] === 0x4f) pong?.();
      return 0;
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    let setup = `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, echo: false, protocol: 1 })}\r\n`;
    for (let g = 0; g < GUILDS; g++) setup += `SUB ${subject(g)} ${g + 1}\r\n`;
    socket.write(`${setup}PING\r\n`);
    await new Promise<void>((resolve) => {
      pong = resolve;
    });
    const heads = payloads.map((p, g) => Buffer.from(`PUB ${subject(g)} ${p.byteLength}\r\n`));
    const crlf = Buffer.from('\r\n');
    return {
      send(topics) {
        socket.cork();
        for (const g of topics) {
          socket.write(heads[g]!);
          socket.write(payloads[g]!);
          socket.write(crlf);
        }
        socket.uncork();
      },
      close: () => socket.destroy(),
    };
  }
  if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const sub = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    sub.on('messageBuffer', () => count());
    await sub.subscribe(...Array.from({ length: GUILDS }, (_, g) => channel(g)));
    if (name === 'sub') return { send() {}, close: () => sub.disconnect() };
    const pub = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    await pub.ping();
    return {
      send(topics) {
        if (topics.length === 1) {
          void pub.publish(channel(topics[0]!), payloads[topics[0]!]!);
          return;
        }
        const pipeline = pub.pipeline();
        for (const g of topics) pipeline.publish(channel(g), payloads[g]!);
        void pipeline.exec();
      },
      close: () => {
        sub.disconnect();
        pub.disconnect();
      },
    };
  }
  // redis-raw: a subscriber connection (both sides, as above) and, for the publisher, a publishing one.
  const subscriber = await socketTo(REDIS_PORT);
  let subscribed = 0;
  let allSubscribed: (() => void) | null = null;
  // A push is `*3` then `$7 message`, `$n channel`, `$n payload`; the reader sees its lines one by one.
  let element = 0;
  const reader = new LineReader((line) => {
    if (line[0] === 0x2a) {
      element = 0;
      return 0;
    }
    if (line[0] !== 0x24) return 0;
    element++;
    const n = Number(line.toString('latin1', 1));
    if (element === 3) count();
    if (element === 1 && n === 9 && ++subscribed === GUILDS) allSubscribed?.();
    return n;
  });
  subscriber.on('data', (chunk: Buffer) => reader.push(chunk));
  const ready = new Promise<void>((resolve) => {
    allSubscribed = resolve;
  });
  subscriber.write(respCommand(['SUBSCRIBE', ...Array.from({ length: GUILDS }, (_, g) => channel(g))]));
  await ready;
  if (name === 'sub') return { send() {}, close: () => subscriber.destroy() };
  const publisher = await socketTo(REDIS_PORT);
  // Replies (`:<n>\r\n` each) are read and dropped.
  publisher.on('data', () => undefined);
  const commands = payloads.map((p, g) => respCommand(['PUBLISH', channel(g), p]));
  return {
    send(topics) {
      publisher.cork();
      for (const g of topics) publisher.write(commands[g]!);
      publisher.uncork();
    },
    close: () => {
      subscriber.destroy();
      publisher.destroy();
    },
  };
}

function respCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.byteLength}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

async function role(kind: Kind, name: 'pub' | 'sub'): Promise<void> {
  let received = 0;
  const side = await openSide(kind, name, () => {
    received++;
  });
  process.send!({ ready: true });
  await once(process, 'message');
  // The same schedule as broker-path.ts: warm-up at 2,000 msg/s, a second at the rate, then the measured window.
  const warmMs = (warmMessages / 2000) * 1000;
  let sent = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  let received0 = 0;
  const t0 = performance.now();
  const t1 = t0 + warmMs;
  const measureFrom = t1 + 1000;
  const end = measureFrom + seconds * 1000;
  const publishing = name === 'pub' && kind !== 'idle';
  const due: number[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    if (cpu0 === null && now >= measureFrom) {
      cpu0 = process.cpuUsage();
      received0 = received;
    }
    if (publishing) {
      due.length = 0;
      if (now < t1) for (; t0 + sent / 2 <= now && sent < warmMessages; sent++) due.push(sent % GUILDS);
      else {
        for (let n = sent - warmMessages; t1 + (n * 1000) / rate <= now && t1 + (n * 1000) / rate < end; n++) {
          due.push(sent % GUILDS);
          sent++;
        }
      }
      if (due.length > 0) side.send(due);
    }
    if (now >= end) {
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0!);
      process.send!({ name, user: cpu.user, system: cpu.system, received: received - received0 });
      setTimeout(() => {
        side.close();
        process.exit(0);
      }, 300);
    }
  }, 5);
}

interface Reading {
  pub: number;
  sub: number;
  line: string;
}

/** One run of tools/broker-path.ts for `kind` (path-<memory|nats|redis>), at this run's rate, window and warm-up. */
async function runPath(kind: (typeof PATHS)[number]): Promise<Reading> {
  const child = fork(fileURLToPath(new URL('./broker-path.ts', import.meta.url)), [], {
    env: {
      ...process.env,
      BROKER_PATH_KIND: kind.slice('path-'.length),
      BROKER_PATH_RATE: String(rate),
      BROKER_PATH_S: String(seconds),
      BROKER_PATH_WARM: String(warmMessages),
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await once(child, 'exit');
  // `<kind> pub: 131.5 µs CPU/msg (user 115.6, sys 15.9), received …`
  const side = (name: string) => {
    const m = new RegExp(`^\\S+ ${name}: ([\\d.]+) µs CPU/msg \\(user ([\\d.]+), sys ([\\d.]+)\\)`, 'm').exec(out);
    return m
      ? { cpu: Number(m[1]), text: `${name} ${m[1]} µs/msg (user ${m[2]}, sys ${m[3]})` }
      : { cpu: Number.NaN, text: '' };
  };
  const p = side('pub');
  const s = side('sub');
  return { pub: p.cpu, sub: s.cpu, line: `${kind.padEnd(11)} ${[p.text, s.text].filter(Boolean).join(', ')}` };
}

async function runOnce(kind: Kind): Promise<Reading> {
  if ((PATHS as readonly string[]).includes(kind)) return runPath(kind as (typeof PATHS)[number]);
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'broker-floor-'));
  const spawn = (name: 'pub' | 'sub') =>
    fork(self, [kind, name], {
      env: { ...process.env, FLOOR_ID: String(process.pid), FLOOR_DIR: dir },
      execArgv: ['--import', 'tsx', ...(process.env.FLOOR_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    });
  const sub = spawn('sub');
  const pub = spawn('pub');
  const kids = [pub, sub];
  // tcp/unix: the receiver says where it listens before it is ready; the publisher is told.
  const first = await once<{ address?: string | number; ready?: boolean }>(sub, 'message');
  if (first.address !== undefined) {
    pub.send({ address: first.address });
    await once(sub, 'message');
  }
  await once(pub, 'message');
  for (const k of kids) k.send('go');
  const results = await Promise.all(
    kids.map((k) => once<{ name: string; user: number; system: number; received: number }>(k, 'message')),
  );
  await Promise.all(kids.map((k) => once(k, 'exit')));
  const msgs = rate * seconds;
  const per = (r: (typeof results)[number]) => (r.user + r.system) / msgs;
  const [p, s] = results as [(typeof results)[number], (typeof results)[number]];
  const side = (r: (typeof results)[number]) =>
    `${r.name} ${per(r).toFixed(1)} µs/msg (user ${(r.user / msgs).toFixed(1)}, sys ${(r.system / msgs).toFixed(1)})`;
  const line = `${kind.padEnd(11)} ${side(p)}, ${side(s)}; received ${s.received}/${kind === 'idle' ? 0 : msgs}`;
  return { pub: per(p), sub: per(s), line };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (process.argv[3] === 'pub' || process.argv[3] === 'sub') void role(process.argv[2] as Kind, process.argv[3]);
else {
  const kinds = (process.env.FLOOR_KINDS ?? KINDS.join(','))
    .split(',')
    .filter((k): k is Kind => (KINDS as readonly string[]).includes(k) || (PATHS as readonly string[]).includes(k));
  console.log(`broker floor: ${rate} msg/s, ${seconds} s, ${BODY} B payload, warm-up ${warmMessages} messages`);
  const readings = new Map<Kind, Reading[]>();
  for (let round = 0; round < repeat; round++) {
    for (const kind of kinds) {
      const r = await runOnce(kind);
      console.log(r.line);
      readings.set(kind, [...(readings.get(kind) ?? []), r]);
    }
  }
  if (repeat > 1) {
    for (const [kind, rs] of readings) {
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
      const pubs = rs.map((r) => r.pub);
      const subs = rs.map((r) => r.sub).filter((x) => !Number.isNaN(x));
      console.log(
        `median ${kind.padEnd(11)} pub ${median(pubs).toFixed(1)} (${range(pubs)})${subs.length > 0 ? `, sub ${median(subs).toFixed(1)} (${range(subs)})` : ''} µs/msg`,
      );
    }
  }
}
