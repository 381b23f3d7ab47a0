/**
 * Content compression at rest on realistic chat text (bench/chatText.ts): bytes stored vs plain UTF-8, overall and for
 * the rows long enough to be compressed, per threshold.
 *
 * Run: node --expose-gc --import tsx packages/storage-adapters/bench/compression.ts
 */
import { benchName, type Comparison, comparison, report } from '@concord/bench-kit';
import { createContentCodec, DEFAULT_COMPRESSION_THRESHOLD, zstdAvailable } from '../src/index.js';
import { chatMessages, compressionRatio } from './lib/chatText.js';

const messages = chatMessages(20_000, 42);
const rows: Comparison[] = [];
const notes: string[] = [];
const modes = zstdAvailable() ? (['deflate', 'zstd'] as const) : (['deflate'] as const);
for (const mode of modes) {
  for (const threshold of [0, 64, DEFAULT_COMPRESSION_THRESHOLD, 512]) {
    const codec = createContentCodec({ compression: mode, compressionThreshold: threshold });
    const r = compressionRatio(messages, codec.encode);
    rows.push(comparison(`${mode} threshold ${threshold}`, 'bytes', r.storedBytes, r.plainBytes, 'plain UTF-8', true));
    notes.push(
      `${mode}, threshold ${threshold} B: stored/plain = ${r.ratio.toFixed(3)}, ${r.compressedRows} of ${messages.length} rows compressed`,
    );
  }
}
const codec = createContentCodec({ compression: 'deflate' });
const long = messages.filter((m) => Buffer.byteLength(m) >= DEFAULT_COMPRESSION_THRESHOLD);
const rl = compressionRatio(long, codec.encode);
notes.push(`deflate on rows >= ${DEFAULT_COMPRESSION_THRESHOLD} B only: stored/plain = ${rl.ratio.toFixed(3)}`);
if (!zstdAvailable()) notes.push(`zstd: not in this Node's node:zlib (${process.version}); needs Node >= 22.15`);
report(
  'storage-adapters: content compression on generated chat text (20,000 messages)',
  rows.map((r) => ({ ...r, bench: benchName('storage-adapters', r.bench) })),
  notes,
);
