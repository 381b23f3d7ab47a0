/**
 * Diagnostic (not run by `npm run bench`; needs `perf`): where each server's CPU per delivery goes in the
 * `perf record -g` files bench/assembled.ts writes with ASSEMBLED_PERF=<dir> (perf-assembled.data, perf-naive.data:
 * every thread of the server, over the measured messages, the window `cpu-per-delivery` is read over). A sample is
 * counted as
 * - user space (JavaScript, V8, Node, libuv, libc);
 * - the loopback receive path: kernel frames under `net_rx_action` (the softirq a loopback `write` runs before it
 *   returns: the receiving client's half of TCP, its socket's queueing and wake-up). On a network the client's
 *   host does that work; here it is charged to the server that wrote;
 * - the send path: the rest of the write syscall (TCP and IP output, the copy, the loopback device);
 * - other kernel time (reads, epoll, timers, page faults).
 * With the bench's JSON lines it also prints each server's CPU per delivery without the loopback receive path, and
 * their ratio (as `cpu-per-delivery`, > 1 = ours leaner). That reading still lacks the ACKs the clients send back,
 * which loopback processes in the clients' context: a server on a network pays those too (less per packet than a
 * data segment's delivery and wake-up).
 *
 *   mkdir -p /tmp/perf && ASSEMBLED_PERF=/tmp/perf ASSEMBLED_SESSIONS=10000 \
 *     node --import tsx examples/chat-server/bench/assembled.ts > /tmp/run.jsonl
 *   node --import tsx examples/chat-server/bench/tools/perfShares.ts /tmp/perf /tmp/run.jsonl
 *
 * ASSEMBLED_SERVER_ARGS=--perf-basic-prof names JIT frames but slows the naive server more than ours: not needed here
 * (user space is one share).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Kernel functions that mark a loopback delivery run in the writer's softirq (the receiving end's work). */
const RECEIVE = new Set(['net_rx_action', 'process_backlog', '__netif_receive_skb_one_core', '__netif_receive_skb']);
/** Kernel entry points of a socket write. */
const SEND = new Set([
  'ksys_write',
  '__x64_sys_write',
  'do_writev',
  '__x64_sys_writev',
  '__sys_sendto',
  '__sys_sendmsg',
]);

interface Shares {
  samples: number;
  user: number;
  receive: number;
  send: number;
  otherKernel: number;
}

/** One stack of `perf script -F ip,sym,dso`: its frames' symbols, leaf first, and whether the leaf is in the kernel. */
function classify(frames: string[], leafInKernel: boolean, into: Shares): void {
  into.samples++;
  if (!leafInKernel) into.user++;
  else if (frames.some((f) => RECEIVE.has(f))) into.receive++;
  else if (frames.some((f) => SEND.has(f))) into.send++;
  else into.otherKernel++;
}

async function shares(file: string): Promise<Shares> {
  const out: Shares = { samples: 0, user: 0, receive: 0, send: 0, otherKernel: 0 };
  const perf = spawn('perf', ['script', '-i', file, '-F', 'ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let frames: string[] = [];
  let leafInKernel = false;
  // Frame lines: "\t<ip> <symbol> (<dso>)"; a blank line ends a sample.
  for await (const line of createInterface({ input: perf.stdout })) {
    const text = line.trim();
    if (text === '') {
      if (frames.length > 0) classify(frames, leafInKernel, out);
      frames = [];
      continue;
    }
    const dsoAt = text.lastIndexOf(' (');
    const symbol = text.slice(text.indexOf(' ') + 1, dsoAt === -1 ? undefined : dsoAt);
    if (frames.length === 0) leafInKernel = text.endsWith('([kernel.kallsyms])');
    frames.push(symbol);
  }
  if (frames.length > 0) classify(frames, leafInKernel, out);
  const code: number = await new Promise((resolve) => perf.on('close', resolve));
  if (code !== 0 || out.samples === 0) throw new Error(`perf script -i ${file}: exit ${code}, ${out.samples} samples`);
  return out;
}

const [dir, jsonl] = process.argv.slice(2);
if (!dir) {
  console.error('usage: perfShares.ts <ASSEMBLED_PERF dir> [bench JSON lines file]');
  process.exit(2);
}
const cpu = new Map<string, number>();
if (jsonl) {
  for (const line of readFileSync(jsonl, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const row = JSON.parse(line) as { bench: string; ours: number; baseline: number };
    if (row.bench === 'chat-server.assembled.cpu-per-delivery') {
      cpu.set('assembled', row.ours);
      cpu.set('naive', row.baseline);
    }
  }
}
const pct = (part: number, s: Shares) => `${((100 * part) / s.samples).toFixed(1)} %`;
const sender = new Map<string, number>();
for (const name of ['assembled', 'naive']) {
  const file = join(dir, `perf-${name}.data`);
  if (!existsSync(file)) continue;
  const s = await shares(file);
  const perDelivery = cpu.get(name);
  const us = (part: number) =>
    perDelivery === undefined ? '' : ` (${((perDelivery * part) / s.samples).toFixed(2)} µs)`;
  console.error(
    `${name}: ${s.samples} samples; user ${pct(s.user, s)}${us(s.user)}, loopback receive ${pct(s.receive, s)}${us(s.receive)}, ` +
      `send path ${pct(s.send, s)}${us(s.send)}, other kernel ${pct(s.otherKernel, s)}${us(s.otherKernel)}`,
  );
  if (perDelivery !== undefined) sender.set(name, perDelivery * (1 - s.receive / s.samples));
}
const ours = sender.get('assembled');
const naive = sender.get('naive');
if (ours !== undefined && naive !== undefined) {
  console.log(
    JSON.stringify({
      bench: 'chat-server.assembled.cpu-per-delivery-without-loopback-receive',
      unit: 'µs CPU per delivery, less the loopback receive path (perf shares)',
      ours: Number(ours.toFixed(3)),
      baseline: Number(naive.toFixed(3)),
      against: 'naive ws gateway',
      ratio: Number((naive / ours).toFixed(3)),
    }),
  );
}
