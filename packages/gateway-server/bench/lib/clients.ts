/**
 * Bench client process: N gateway connections on raw `net` sockets speaking the least WebSocket that works, so the
 * client side costs as little CPU as possible and exactly the same for every server under test. Driven over IPC by
 * fanout.ts / memory.ts.
 *
 * Nothing is decoded, with or without zlib-stream: a socket sends Identify right after the upgrade, counts Hello and
 * READY as its first two data frames (a close frame fails the run), and after `arm` walks the WebSocket frame headers
 * and stamps each complete data frame with a
 * CLOCK_MONOTONIC reading (`process.hrtime`, the same clock in every process on the machine), so receipt times can be
 * compared with the dispatch time taken in the server process.
 */
import { connect, type Socket } from 'node:net';
import { frameHeader } from './frameHeader.js';
import { maskedTextFrame } from './maskedTextFrame.js';
import { upgradedInput } from './upgradedInput.js';

interface Start {
  type: 'start';
  url: string;
  count: number;
  query: string;
  /** Source address; leave it out for 10k+ sockets: bind-before-connect makes the kernel scan for a free port. */
  localAddress?: string;
  intents: number;
  /** First token index (several client processes against one server). */
  offset?: number;
  /** Connections opened at once. */
  parallel?: number;
}

type Command = Start | { type: 'arm' } | { type: 'expect'; total: number } | { type: 'collect' } | { type: 'stop' };

const send = (m: unknown) => process.send?.(m);
/** Milliseconds on CLOCK_MONOTONIC. */
const monotonicMs = (): number => {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
};

const sockets: Socket[] = [];
let armed = false;
let times: number[] = [];
let expected = Number.POSITIVE_INFINITY;
let lastAt = 0;

function received(): void {
  const t = monotonicMs();
  times.push(t);
  lastAt = t;
  if (times.length === expected) send({ type: 'done', received: times.length, lastAt });
}

function open(o: Start, index: number): Promise<void> {
  const url = new URL(o.url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    });
    socket.setNoDelay(true);
    sockets.push(socket);
    // Data frames seen before `arm`: Hello, then READY (a GUILD_CREATE may follow).
    let frames = 0;
    const input = upgradedInput(reject);
    // Bytes of the current frame's payload still to come (armed mode).
    let remaining = 0;
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET /?${o.query} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      const upgrading = !input.upgraded;
      const buf = input.read(chunk);
      if (!buf) return;
      let at = 0;
      if (upgrading) {
        // Identify right away: both servers read it after sending Hello, so there is no need to decode Hello.
        socket.write(
          maskedTextFrame(
            JSON.stringify({ op: 2, d: { token: `token-${index}`, properties: {}, intents: o.intents } }),
          ),
        );
      }
      if (armed) {
        // Skip payloads without looking at them; only headers are read.
        if (remaining > 0) {
          const take = Math.min(remaining, buf.length - at);
          remaining -= take;
          at += take;
          if (remaining === 0) received();
        }
        while (at < buf.length) {
          const header = frameHeader(buf, at);
          if (!header) break;
          at += header.headLen;
          const take = Math.min(header.len, buf.length - at);
          at += take;
          remaining = header.len - take;
          if (remaining === 0) received();
        }
        if (at < buf.length) input.keep(buf.subarray(at));
        return;
      }
      while (buf.length - at >= 2) {
        const header = frameHeader(buf, at);
        if (!header || buf.length - at < header.headLen + header.len) break;
        const opcode = buf[at]! & 15;
        if (opcode === 8) {
          reject(new Error(`closed by the server: ${buf.readUInt16BE(at + header.headLen)}`));
          return;
        }
        if ((opcode === 1 || opcode === 2) && ++frames === 2) resolve();
        at += header.headLen + header.len;
      }
      if (at < buf.length) input.keep(Buffer.from(buf.subarray(at)));
    });
  });
}

process.on('message', async (m: Command) => {
  if (m.type === 'start') {
    const inFlight = m.parallel ?? 500;
    let next = 0;
    const worker = async () => {
      while (next < m.count) {
        const i = next++;
        await open(m, i + (m.offset ?? 0));
      }
    };
    try {
      await Promise.all(Array.from({ length: inFlight }, worker));
      send({ type: 'ready', count: sockets.length });
    } catch (error) {
      send({ type: 'failed', error: String(error) });
      process.exit(1);
    }
  } else if (m.type === 'arm') {
    armed = true;
    send({ type: 'armed' });
  } else if (m.type === 'expect') {
    expected = m.total;
    if (times.length >= expected) send({ type: 'done', received: times.length, lastAt });
  } else if (m.type === 'collect') {
    send({ type: 'collected', times, lastAt });
    times = [];
    expected = Number.POSITIVE_INFINITY;
  } else if (m.type === 'stop') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
send({ type: 'alive' });
