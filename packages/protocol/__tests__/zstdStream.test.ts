import { Decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { dispatchStream } from '../bench/lib/dispatches.js';
import * as portable from '../src/compression/index.js';
import * as node from '../src/compression/node.js';
import { encodeJson } from '../src/json/index.js';

const hasZstd = node.zstdAvailable();
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasZstd = major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15);

describe('zstd-stream availability', () => {
  it('works on every supported runtime: node:zlib where it has zstd, zstd-napi elsewhere (issue #13)', () => {
    expect(hasZstd).toBe(true);
    expect(node.zstdBackend()).toBe(nodeHasZstd ? 'node:zlib' : 'zstd-napi');
  });

  it('the portable entry never claims zstd and throws UNSUPPORTED', () => {
    expect(portable.zstdAvailable()).toBe(false);
    expect(portable.zstdBackend()).toBeNull();
    expect(() => portable.createZstdStreamDeflater()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => portable.createZstdStreamInflater()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});

describe('zstd-stream (node entry)', () => {
  const payloads = dispatchStream({ count: 300 }).map((p) => encodeJson(p));

  it('round-trips many payloads through one context, one message each', () => {
    const deflater = node.createZstdStreamDeflater();
    const inflater = node.createZstdStreamInflater();
    let total = 0;
    for (const payload of payloads) {
      const frame = deflater.compress(payload);
      total += frame.byteLength;
      expect(Buffer.from(inflater.push(frame)!).toString()).toBe(payload);
    }
    // Shared context: far smaller than the input.
    expect(total).toBeLessThan(payloads.join('').length / 4);
    deflater.close();
    inflater.close();
    expect(() => deflater.compress('x')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('one zstd stream per connection, a flushed block per message: an independent decoder (fzstd) reads it', () => {
    const deflater = node.createZstdStreamDeflater();
    const out: Uint8Array[] = [];
    const decoder = new Decompress((chunk) => out.push(chunk));
    const frames = payloads.slice(0, 50).map((p) => deflater.compress(p));
    // A single frame header: every later message continues the same frame (no magic number again).
    const magic = (f: Uint8Array) => f[0] === 0x28 && f[1] === 0xb5 && f[2] === 0x2f && f[3] === 0xfd;
    expect(frames.filter(magic)).toHaveLength(1);
    for (const [i, frame] of frames.entries()) {
      out.length = 0;
      decoder.push(frame);
      expect(Buffer.concat(out).toString()).toBe(payloads[i]);
    }
  });

  it('refuses a bomb above maxOutput and corrupt input', () => {
    const deflater = node.createZstdStreamDeflater();
    const bomb = deflater.compress(new Uint8Array(10 * 1024 * 1024));
    expect(() => node.createZstdStreamInflater({ maxOutput: 1 << 20 }).push(bomb)).toThrow(
      expect.objectContaining({ code: 'DECOMPRESSION_LIMIT' }),
    );
    expect(() => node.createZstdStreamInflater().push(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toThrow(
      expect.objectContaining({ code: 'DECOMPRESSION_ERROR' }),
    );
  });
});
