// zlib-stream (one context per connection, Z_SYNC_FLUSH per payload) on a realistic dispatch stream, against
// per-payload zlib (`compress: true` style, no shared context) as the baseline; plus node:zlib vs the portable
// (pako) paths, and the portable inflater vs fflate's streaming inflate (the alternative we did not pick).
// Run: node --expose-gc --import tsx packages/protocol/bench/compression.ts
import zlib from 'node:zlib';
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { Unzlib } from 'fflate';
import {
  createNodeZlibStreamDeflater,
  createNodeZlibStreamInflater,
  createPortableZlibStreamDeflater,
  createPortableZlibStreamInflater,
  type StreamInflater,
  syncZlibSupported,
} from '../src/compression/node.js';
import { encodeJson } from '../src/json/index.js';
import { dispatchStream } from './lib/dispatches.js';

const COUNT = 5000;
const payloads = dispatchStream({ count: COUNT }).map((p) => Buffer.from(encodeJson(p)));
const rawBytes = payloads.reduce((n, p) => n + p.byteLength, 0);

if (!syncZlibSupported()) throw new Error('node:zlib sync path unavailable: this bench would measure the fallback');

// Sizes: the whole stream through one context vs each payload compressed alone.
const streamDeflater = createNodeZlibStreamDeflater();
const streamFrames = payloads.map((p) => streamDeflater.compress(p));
const perPayloadFrames = payloads.map((p) => zlib.deflateSync(p));
const streamBytes = streamFrames.reduce((n, f) => n + f.byteLength, 0);
const perPayloadBytes = perPayloadFrames.reduce((n, f) => n + f.byteLength, 0);

const rows: Comparison[] = [
  comparison(
    'protocol.zlib-stream.bytes',
    'bytes',
    streamBytes,
    perPayloadBytes,
    'per-payload zlib (compress:true)',
    true,
  ),
];

// Deflate throughput: ops = payloads compressed.
let di = 0;
let deflater = createNodeZlibStreamDeflater();
let bi = 0;
rows.push(
  compareOps({
    bench: 'protocol.zlib-stream.deflate',
    against: 'per-payload zlib.deflateSync',
    ours: () => {
      if (di === COUNT) {
        di = 0;
        deflater.close();
        deflater = createNodeZlibStreamDeflater();
      }
      return deflater.compress(payloads[di++]!);
    },
    baseline: () => zlib.deflateSync(payloads[bi++ % COUNT]!),
  }),
);

let pi = 0;
let portableDeflater = createPortableZlibStreamDeflater();
di = 0;
rows.push(
  compareOps({
    bench: 'protocol.zlib-stream.deflate-node-vs-portable',
    against: 'portable zlib-stream deflater (pako)',
    ours: () => {
      if (di === COUNT) {
        di = 0;
        deflater.close();
        deflater = createNodeZlibStreamDeflater();
      }
      return deflater.compress(payloads[di++]!);
    },
    baseline: () => {
      if (pi === COUNT) {
        pi = 0;
        portableDeflater = createPortableZlibStreamDeflater();
      }
      return portableDeflater.compress(payloads[pi++]!);
    },
  }),
);

// Inflate throughput: frames must be fed in stream order, so a fresh inflater starts each pass over the stream.
function streamInflate(make: () => StreamInflater): () => unknown {
  let i = 0;
  let inflater = make();
  return () => {
    if (i === COUNT) {
      i = 0;
      inflater.close();
      inflater = make();
    }
    return inflater.push(streamFrames[i++]!);
  };
}

let ii = 0;
rows.push(
  compareOps({
    bench: 'protocol.zlib-stream.inflate',
    against: 'per-payload zlib.inflateSync',
    ours: streamInflate(() => createNodeZlibStreamInflater()),
    baseline: () => zlib.inflateSync(perPayloadFrames[ii++ % COUNT]!),
  }),
);

rows.push(
  compareOps({
    bench: 'protocol.zlib-stream.inflate-node-vs-portable',
    against: 'portable zlib-stream inflater (pako)',
    ours: streamInflate(() => createNodeZlibStreamInflater()),
    baseline: streamInflate(() => createPortableZlibStreamInflater()),
  }),
);

// fflate's Unzlib fed the same frames, one context: what a browser would get had we picked fflate.
function fflateInflater(): StreamInflater {
  const out: Uint8Array[] = [];
  const unzlib = new Unzlib((chunk) => out.push(chunk));
  return {
    push(frame) {
      out.length = 0;
      unzlib.push(frame);
      return out[0] ?? null;
    },
    close() {},
  };
}

rows.push(
  compareOps({
    bench: 'protocol.zlib-stream.inflate-portable-vs-fflate',
    against: 'fflate Unzlib streaming inflate',
    ours: streamInflate(() => createPortableZlibStreamInflater()),
    baseline: streamInflate(fflateInflater),
    rounds: 5,
  }),
);

report('@concord/protocol: zlib-stream compression', rows, [
  `${COUNT} JSON dispatches (MESSAGE_CREATE / PRESENCE_UPDATE / TYPING_START), ${rawBytes} bytes raw`,
  `zlib-stream: ${streamBytes} bytes (${((100 * streamBytes) / rawBytes).toFixed(1)}% of raw); per-payload zlib: ${perPayloadBytes} bytes (${((100 * perPayloadBytes) / rawBytes).toFixed(1)}%)`,
  'ops/s = payloads per second through one connection context; level 6 everywhere',
]);
