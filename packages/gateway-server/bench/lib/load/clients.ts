/**
 * Load-test client process (driven over IPC by bench/load.ts): thousands of identified gateway sessions on raw `net`
 * sockets, each bound to one of a few 127.0.0.x source addresses so no (source address, port) pair runs out.
 *
 * A session does what a real client does on the wire — upgrade, wait for Hello, Identify with intents, wait for READY,
 * heartbeat every interval with the last `s` — but decodes nothing it does not need: frames are walked by their
 * headers, a MESSAGE_CREATE is recognised by its first bytes and its publish time read from `nonce` (the first key of
 * `d`), and the receive time is taken once per socket read on CLOCK_MONOTONIC, the clock the publisher stamped with.
 */
import { connect, type Socket } from 'node:net';
import { frameHeader } from '../frameHeader.js';
import { maskedTextFrame } from '../maskedTextFrame.js';
import { upgradedInput } from '../upgradedInput.js';
import { identifyPayload, MESSAGE_PREFIX, monotonicMs } from './fixtures.js';
import { Histogram } from './Histogram.js';

export interface OpenCommand {
  type: 'open';
  urls: string[];
  /**
   * Session indices to open, as [from, to) ranges; session `i` goes to `urls[i % urls.length]`, or with `guildSize`
   * to `urls[(i / guildSize) % urls.length]` (every member of a guild on the same node).
   */
  ranges: [number, number][];
  guildSize?: number;
  localAddresses: string[];
  /** Connections being opened at once (the server's listen backlog is 511). */
  parallel: number;
  heartbeatMs: number;
}

export interface Opened {
  type: 'opened';
  ok: number;
  failed: number;
  errors: string[];
  ms: number;
}

export interface Collected {
  type: 'collected';
  histogram: [number, number][];
  max: number;
  /** MESSAGE_CREATEs published inside the window that arrived. */
  counted: number;
  lastAt: number;
  /** Identified sessions whose connection closed since they were opened. */
  dropped: number;
  open: number;
}

type Command =
  | OpenCommand
  | { type: 'mark'; from: number; to: number }
  | { type: 'cpu' }
  | { type: 'count' }
  | { type: 'collect' }
  | { type: 'stop' };

const send = (m: unknown): void => {
  // With a callback a failed send (the orchestrator is gone) is not an uncaught error event.
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
};

const PREFIX = Buffer.from(MESSAGE_PREFIX, 'latin1');
const OPEN_TIMEOUT_MS = 60_000;

interface Conn {
  socket: Socket;
  lastSeq: number;
  identified: boolean;
}

const conns: Conn[] = [];
const histogram = new Histogram();
let windowFrom = Number.POSITIVE_INFINITY;
let windowTo = Number.POSITIVE_INFINITY;
let counted = 0;
let lastAt = 0;
let dropped = 0;
let cpuMark = process.cpuUsage();
let wallMark = monotonicMs();

/** `s` of a JSON dispatch: the digits before the closing brace. */
function tailSeq(buf: Buffer, end: number): number {
  let seq = 0;
  let mul = 1;
  for (let i = end - 2; i > 0; i--) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    seq += (c - 0x30) * mul;
    mul *= 10;
  }
  return seq;
}

function isMessageCreate(buf: Buffer, start: number, end: number): boolean {
  return end - start > PREFIX.length && buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) === 0;
}

function open(index: number, url: URL, localAddress: string, heartbeatMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    socket.setNoDelay(true);
    const conn: Conn = { socket, lastSeq: 0, identified: false };
    let frames = 0;
    const timer = setTimeout(() => fail(new Error('no READY within 60 s')), OPEN_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const input = upgradedInput(fail);
    socket.on('error', (error) => {
      if (!conn.identified) fail(error);
    });
    socket.on('close', () => {
      if (conn.identified) dropped++;
      else fail(new Error('closed before READY'));
    });
    socket.on('connect', () => {
      socket.write(
        `GET /?v=10&encoding=json HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      // One clock reading per socket read: every frame in the chunk arrived together.
      const now = monotonicMs();
      const buf = input.read(chunk);
      if (!buf) return;
      let at = 0;
      while (buf.length - at >= 2) {
        const header = frameHeader(buf, at);
        if (!header || buf.length - at < header.headLen + header.len) break;
        const { len } = header;
        const opcode = buf[at]! & 15;
        const start = at + header.headLen;
        const end = start + len;
        at = end;
        if (opcode === 8) {
          if (!conn.identified) fail(new Error(`closed by the server: ${len >= 2 ? buf.readUInt16BE(start) : '-'}`));
          socket.end();
          return;
        }
        if (opcode !== 1 && opcode !== 2) continue;
        frames++;
        if (conn.identified) {
          if (!isMessageCreate(buf, start, end)) continue;
          conn.lastSeq = tailSeq(buf, end);
          const p = start + PREFIX.length;
          const publishedAt = Number(buf.toString('latin1', p, buf.indexOf(0x22, p)));
          if (publishedAt >= windowFrom && publishedAt < windowTo) {
            histogram.record(now - publishedAt);
            counted++;
            lastAt = now;
          }
        } else if (frames === 1) {
          // Hello: Identify now, as a client does.
          socket.write(maskedTextFrame(identifyPayload(index)));
        } else if (frames === 2) {
          const ready = buf.indexOf('"READY"', start);
          if (ready === -1 || ready >= end) {
            fail(new Error(`expected READY, got ${buf.toString('utf8', start, Math.min(end, start + 80))}`));
            return;
          }
          conn.lastSeq = tailSeq(buf, end);
          conn.identified = true;
          clearTimeout(timer);
          conns.push(conn);
          resolve();
        }
      }
      if (at < buf.length) input.keep(Buffer.from(buf.subarray(at)));
    });
  }).then(() => scheduleHeartbeats(heartbeatMs));
}

// Heartbeats: every session beats once per interval, phases spread over it (slot = position % slots), from one
// 1-second timer for the whole process rather than a timer per socket.
let heartbeatTimer: NodeJS.Timeout | undefined;
function scheduleHeartbeats(heartbeatMs: number): void {
  if (heartbeatTimer) return;
  const slots = Math.max(1, Math.floor(heartbeatMs / 1000) - 1);
  let tick = 0;
  heartbeatTimer = setInterval(() => {
    const slot = tick++ % slots;
    for (let i = slot; i < conns.length; i += slots) {
      const c = conns[i]!;
      if (!c.socket.destroyed) c.socket.write(maskedTextFrame(`{"op":1,"d":${c.lastSeq}}`));
    }
  }, 1000);
}

async function openAll(c: OpenCommand): Promise<Opened> {
  const started = monotonicMs();
  const urls = c.urls.map((u) => new URL(u));
  const indices: number[] = [];
  for (const [from, to] of c.ranges) for (let i = from; i < to; i++) indices.push(i);
  let next = 0;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < indices.length) {
      const index = indices[next]!;
      const address = c.localAddresses[next % c.localAddresses.length]!;
      next++;
      try {
        const node = c.guildSize === undefined ? index : Math.floor(index / c.guildSize);
        await open(index, urls[node % urls.length]!, address, c.heartbeatMs);
        ok++;
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(String((error as Error).message ?? error));
      }
    }
  };
  await Promise.all(Array.from({ length: c.parallel }, worker));
  return { type: 'opened', ok, failed, errors, ms: monotonicMs() - started };
}

process.on('message', async (m: Command) => {
  switch (m.type) {
    case 'open':
      send(await openAll(m));
      break;
    case 'mark':
      histogram.reset();
      counted = 0;
      lastAt = 0;
      windowFrom = m.from;
      windowTo = m.to;
      cpuMark = process.cpuUsage();
      wallMark = monotonicMs();
      send({ type: 'marked' });
      break;
    case 'cpu': {
      const cpu = process.cpuUsage(cpuMark);
      send({ type: 'cpu', user: cpu.user, system: cpu.system, wallMs: monotonicMs() - wallMark });
      break;
    }
    case 'count':
      send({ type: 'count', counted });
      break;
    case 'collect':
      send({
        type: 'collected',
        histogram: histogram.toSparse(),
        max: histogram.max,
        counted,
        lastAt,
        dropped,
        open: conns.length - dropped,
      } satisfies Collected);
      break;
    case 'stop':
      for (const c of conns) c.socket.destroy();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'alive' });
