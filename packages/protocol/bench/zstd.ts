// zstd-stream (one zstd stream per connection, each payload flushed with ZSTD_e_flush) with the backend this runtime
// picks (node:zlib's zstd on Node >= 22.15 / 23.8, the zstd-napi binding elsewhere), against the alternatives we did
// not pick: @bokuweb/zstd-wasm (WebAssembly; it has no streaming API, so each payload is its own frame: what a wasm
// backend could do) for compression, and fzstd (pure JS, streaming) for decompression.
// Run: node --expose-gc --import tsx packages/protocol/bench/zstd.ts

import { compress as wasmCompress, init as wasmInit } from '@bokuweb/zstd-wasm';
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { Decompress } from 'fzstd';
import {
  createZstdStreamDeflater,
  createZstdStreamInflater,
  type StreamInflater,
  zstdBackend,
} from '../src/compression/node.js';
import { encodeJson } from '../src/json/index.js';
import { dispatchStream } from './lib/dispatches.js';

const backend = zstdBackend();
if (backend === null) throw new Error('no zstd backend on this runtime: install zstd-napi (optional dependency)');
await wasmInit();

const COUNT = 5000;
const LEVEL = 3;
const payloads = dispatchStream({ count: COUNT }).map((p) => Buffer.from(encodeJson(p)));
const rawBytes = payloads.reduce((n, p) => n + p.byteLength, 0);

const streamDeflater = createZstdStreamDeflater({ level: LEVEL });
const streamFrames = payloads.map((p) => streamDeflater.compress(p));
const perPayloadFrames = payloads.map((p) => wasmCompress(p, LEVEL));
const streamBytes = streamFrames.reduce((n, f) => n + f.byteLength, 0);
const perPayloadBytes = perPayloadFrames.reduce((n, f) => n + f.byteLength, 0);

const rows: Comparison[] = [
  comparison('protocol.zstd-stream.bytes', 'bytes', streamBytes, perPayloadBytes, 'per-payload zstd-wasm frames', true),
];

let di = 0;
let deflater = createZstdStreamDeflater({ level: LEVEL });
let wi = 0;
rows.push(
  compareOps({
    bench: 'protocol.zstd-stream.deflate',
    against: '@bokuweb/zstd-wasm per payload',
    ours: () => {
      if (di === COUNT) {
        di = 0;
        deflater.close();
        deflater = createZstdStreamDeflater({ level: LEVEL });
      }
      return deflater.compress(payloads[di++]!);
    },
    baseline: () => wasmCompress(payloads[wi++ % COUNT]!, LEVEL),
  }),
);

// Frames must be fed in stream order, so a fresh inflater starts each pass over the stream.
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

function fzstdInflater(): StreamInflater {
  const out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => out.push(chunk));
  return {
    push(frame) {
      out.length = 0;
      decoder.push(frame);
      return out.length === 1 ? out[0]! : Buffer.concat(out);
    },
    close() {},
  };
}

rows.push(
  compareOps({
    bench: 'protocol.zstd-stream.inflate',
    against: 'fzstd streaming decompress (pure JS)',
    ours: streamInflate(() => createZstdStreamInflater()),
    baseline: streamInflate(fzstdInflater),
    rounds: 5,
  }),
);

report(`@concord/protocol: zstd-stream compression (backend: ${backend})`, rows, [
  `${COUNT} JSON dispatches (MESSAGE_CREATE / PRESENCE_UPDATE / TYPING_START), ${rawBytes} bytes raw, level ${LEVEL}`,
  `zstd-stream: ${streamBytes} bytes (${((100 * streamBytes) / rawBytes).toFixed(1)}% of raw); per-payload frames: ${perPayloadBytes} bytes (${((100 * perPayloadBytes) / rawBytes).toFixed(1)}%)`,
  'ops/s = payloads per second through one connection context',
]);
