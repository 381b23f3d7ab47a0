/**
 * Bench client process: opens N raw `ws` gateway connections, identifies them, and reports per-delivery latency
 * (receipt time − the `nonce` timestamp the server side put in the message). Driven over IPC by fanout.ts/memory.ts.
 */
import { createZlibStreamInflater, type StreamInflater } from '@concord/protocol';
import WebSocket from 'ws';

interface Start {
  type: 'start';
  url: string;
  count: number;
  query: string;
  localAddress: string;
  intents: number;
  /** Parse every frame (fan-out) or only until READY (memory bench, idle). */
  parse: boolean;
  /** First token index (several client processes against one server). */
  offset?: number;
}

type Command = Start | { type: 'collect' } | { type: 'expect'; total: number } | { type: 'stop' };

const send = (m: unknown) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
let latencies: number[] = [];
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let lastAt = 0;

function open(o: Start, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${o.url}/?${o.query}`, { localAddress: o.localAddress, perMessageDeflate: false });
    sockets.push(ws);
    const inflater: StreamInflater | null = o.query.includes('zlib-stream') ? createZlibStreamInflater() : null;
    let ready = false;
    ws.on('error', reject);
    ws.on('message', (raw: Buffer) => {
      let bytes: Uint8Array = raw;
      if (inflater) {
        const out = inflater.push(raw);
        if (out === null) return;
        bytes = out;
      }
      if (!ready || o.parse) {
        const p = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
        if (p.op === 10) {
          ws.send(JSON.stringify({ op: 2, d: { token: `token-${index}`, properties: {}, intents: o.intents } }));
        } else if (p.t === 'READY') {
          ready = true;
          resolve();
        } else if (p.t === 'MESSAGE_CREATE') {
          const t = now();
          latencies.push(t - Number(p.d.nonce));
          received++;
          lastAt = t;
          if (received === expected) send({ type: 'done', received, lastAt });
        }
      }
    });
  });
}

process.on('message', async (m: Command) => {
  if (m.type === 'start') {
    const inFlight = 200;
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
  } else if (m.type === 'expect') {
    expected = m.total;
    if (received >= expected) send({ type: 'done', received, lastAt });
  } else if (m.type === 'collect') {
    send({ type: 'collected', latencies, received, lastAt });
    latencies = [];
    received = 0;
    expected = Number.POSITIVE_INFINITY;
  } else if (m.type === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
send({ type: 'alive' });
