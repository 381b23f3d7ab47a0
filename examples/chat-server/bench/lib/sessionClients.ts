/**
 * Load-client process of bench/assembled.ts (forked, driven over IPC): thousands of identified JSON sessions on raw
 * `net` sockets, each bound to one of many 127.0.x.y source addresses (no address runs out of ports, and the gateway's
 * per-address identify limit of 60 a minute is not what is measured). Adapted from the gateway package's load client
 * (packages/gateway-server/bench/lib/load/clients.ts), which expects `nonce` as the first key of `d`: here
 * MESSAGE_CREATE is the assembled server's own message object, so `nonce` is looked up inside the frame.
 *
 * Per message (keyed by its nonce, the CLOCK_MONOTONIC time the bench sent the POST) the process keeps the earliest
 * receipt and the count; every delivery goes into a latency histogram for the percentiles.
 */
import { connect, type Socket } from 'node:net';
import { frameHeader } from '../../../../packages/gateway-server/bench/lib/frameHeader.js';
import { identifyPayload, monotonicMs } from '../../../../packages/gateway-server/bench/lib/load/fixtures.js';
import { Histogram } from '../../../../packages/gateway-server/bench/lib/load/Histogram.js';
import { maskedTextFrame } from '../../../../packages/gateway-server/bench/lib/maskedTextFrame.js';
import { upgradedInput } from '../../../../packages/gateway-server/bench/lib/upgradedInput.js';

export interface OpenSessions {
  type: 'open';
  url: string;
  from: number;
  to: number;
  localAddresses: string[];
  /** Identifies in flight from this process. */
  parallel: number;
}

export interface SessionsOpened {
  type: 'opened';
  ok: number;
  failed: number;
  errors: string[];
  ms: number;
}

export interface Deliveries {
  type: 'deliveries';
  histogram: [number, number][];
  max: number;
  /** nonce → [first receipt − nonce in ms, deliveries]. */
  perMessage: Record<string, [number, number]>;
  dropped: number;
  /** The `d` of the first MESSAGE_CREATE received (the object the naive gateway then sends). */
  sample: unknown;
  /** The `d` of the first READY and of the first GUILD_CREATE received (what the naive gateway sends on Identify). */
  readySample: unknown;
  guildCreateSample: unknown;
}

type Command = OpenSessions | { type: 'reset' } | { type: 'count' } | { type: 'collect' } | { type: 'stop' };

const send = (m: unknown): void => {
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
};

const DISPATCH = Buffer.from('{"op":0,', 'latin1');
const MESSAGE_CREATE = Buffer.from('{"op":0,"t":"MESSAGE_CREATE","d":', 'latin1');
const NONCE = Buffer.from('"nonce":"', 'latin1');
const OPEN_TIMEOUT_MS = 60_000;
const HEARTBEAT_MS = 41_250;

interface Conn {
  socket: Socket;
  lastSeq: number;
}

const conns: Conn[] = [];
const histogram = new Histogram();
let perMessage = new Map<string, [number, number]>();
let dropped = 0;
let delivered = 0;
let sample: unknown;
let readySample: unknown;
let guildCreateSample: unknown;
const GUILD_CREATE = Buffer.from('{"op":0,"t":"GUILD_CREATE","d":', 'latin1');

/** `s` of a JSON dispatch: the digits before the closing brace (`s` is the last key in both servers' frames). */
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

function onMessage(conn: Conn, buf: Buffer, start: number, end: number, now: number): void {
  // Every dispatch's seq is the one the next heartbeat acknowledges, as a real client's (GUILD_CREATE's too: a server
  // may let go of what it kept for Resume once the client has acknowledged it).
  if (buf.compare(DISPATCH, 0, DISPATCH.length, start, start + DISPATCH.length) === 0) conn.lastSeq = tailSeq(buf, end);
  if (end - start <= MESSAGE_CREATE.length) return;
  if (
    guildCreateSample === undefined &&
    buf.compare(GUILD_CREATE, 0, GUILD_CREATE.length, start, start + GUILD_CREATE.length) === 0
  ) {
    guildCreateSample = JSON.parse(buf.toString('utf8', start, end)).d;
    return;
  }
  if (buf.compare(MESSAGE_CREATE, 0, MESSAGE_CREATE.length, start, start + MESSAGE_CREATE.length) !== 0) return;
  const at = buf.indexOf(NONCE, start);
  if (at === -1 || at >= end) return;
  const p = at + NONCE.length;
  const nonce = buf.toString('latin1', p, buf.indexOf(0x22, p));
  if (sample === undefined) sample = JSON.parse(buf.toString('utf8', start, end)).d;
  const latency = now - Number(nonce);
  histogram.record(latency);
  delivered++;
  const seen = perMessage.get(nonce);
  if (seen) {
    seen[1]++;
    if (latency < seen[0]) seen[0] = latency;
  } else perMessage.set(nonce, [latency, 1]);
}

function open(index: number, url: URL, localAddress: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    socket.setNoDelay(true);
    const conn: Conn = { socket, lastSeq: 0 };
    let identified = false;
    let frames = 0;
    const timer = setTimeout(() => fail(new Error('no READY within 60 s')), OPEN_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const input = upgradedInput(fail);
    socket.on('error', (error) => {
      if (!identified) fail(error);
    });
    socket.on('close', () => {
      if (identified) dropped++;
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
        const opcode = buf[at]! & 15;
        const start = at + header.headLen;
        const end = start + header.len;
        at = end;
        if (opcode === 8) {
          if (!identified) fail(new Error(`closed by the server: ${header.len >= 2 ? buf.readUInt16BE(start) : '-'}`));
          socket.end();
          return;
        }
        if (opcode !== 1) continue;
        frames++;
        if (identified) onMessage(conn, buf, start, end, now);
        else if (frames === 1) socket.write(maskedTextFrame(identifyPayload(index)));
        else if (frames === 2) {
          const ready = buf.indexOf('"READY"', start);
          if (ready === -1 || ready >= end) {
            fail(new Error(`expected READY, got ${buf.toString('utf8', start, Math.min(end, start + 80))}`));
            return;
          }
          conn.lastSeq = tailSeq(buf, end);
          if (readySample === undefined) readySample = JSON.parse(buf.toString('utf8', start, end)).d;
          identified = true;
          clearTimeout(timer);
          conns.push(conn);
          resolve();
        }
      }
      if (at < buf.length) input.keep(Buffer.from(buf.subarray(at)));
    });
  });
}

// Heartbeats: every session once per interval, phases spread over it, from one 1-second timer for the process.
let heartbeatTimer: NodeJS.Timeout | undefined;
function startHeartbeats(): void {
  if (heartbeatTimer) return;
  const slots = Math.max(1, Math.floor(HEARTBEAT_MS / 1000) - 1);
  let tick = 0;
  heartbeatTimer = setInterval(() => {
    const slot = tick++ % slots;
    for (let i = slot; i < conns.length; i += slots) {
      const c = conns[i]!;
      if (!c.socket.destroyed) c.socket.write(maskedTextFrame(`{"op":1,"d":${c.lastSeq}}`));
    }
  }, 1000);
}

async function openAll(c: OpenSessions): Promise<SessionsOpened> {
  const started = monotonicMs();
  const url = new URL(c.url);
  let next = c.from;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < c.to) {
      const index = next++;
      try {
        await open(index, url, c.localAddresses[index % c.localAddresses.length]!);
        ok++;
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(String((error as Error).message ?? error));
      }
    }
  };
  await Promise.all(Array.from({ length: c.parallel }, worker));
  startHeartbeats();
  return { type: 'opened', ok, failed, errors, ms: monotonicMs() - started };
}

process.on('message', async (m: Command) => {
  switch (m.type) {
    case 'open':
      send(await openAll(m));
      break;
    case 'reset':
      histogram.reset();
      perMessage = new Map();
      delivered = 0;
      send({ type: 'reset' });
      break;
    case 'count':
      send({ type: 'count', delivered });
      break;
    case 'collect':
      send({
        type: 'deliveries',
        histogram: histogram.toSparse(),
        max: histogram.max,
        perMessage: Object.fromEntries(perMessage),
        dropped,
        sample,
        readySample,
        guildCreateSample,
      } satisfies Deliveries);
      break;
    case 'stop':
      for (const c of conns) c.socket.destroy();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'alive' });
