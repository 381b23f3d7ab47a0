import { describe, expect, it } from 'vitest';
import { dispatchStream } from '../bench/lib/dispatches.js';
import * as portable from '../src/index.js';
import * as node from '../src/node.js';

const hasZstd = node.zstdAvailable();
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasZstd = major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15);

describe('zstd-stream availability', () => {
  it('zstdAvailable() matches the Node version', () => {
    expect(hasZstd).toBe(nodeHasZstd);
  });

  it('the portable entry never claims zstd and throws UNSUPPORTED', () => {
    expect(portable.zstdAvailable()).toBe(false);
    expect(() => portable.createZstdStreamDeflater()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => portable.createZstdStreamInflater()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it.skipIf(hasZstd)('without node:zlib zstd, the node entry throws UNSUPPORTED too', () => {
    expect(() => node.createZstdStreamDeflater()).toThrow(portable.ProtocolError);
    expect(() => node.createZstdStreamInflater()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});

if (!hasZstd) {
  console.info(
    `zstd-stream round-trip tests skipped: node:zlib has no zstd on Node ${process.versions.node} (needs >= 22.15 / 23.8)`,
  );
}

describe.skipIf(!hasZstd)('zstd-stream (node:zlib zstd)', () => {
  const payloads = dispatchStream({ count: 300 }).map((p) => portable.encodeJson(p));

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
