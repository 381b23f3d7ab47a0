// Issue #19: what a dispatch keeps while replay buffers hold it must not pin a shared pool slab (see wire/unpooled.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unpooled } from '../src/wire/unpooled.js';

describe('unpooled', () => {
  it('copies a pooled view into memory of its own, bytes unchanged', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const pooled = Buffer.from(bytes);
        const own = unpooled(pooled);
        expect(own.equals(pooled)).toBe(true);
        expect(own.byteOffset).toBe(0);
        expect(own.buffer.byteLength).toBe(own.byteLength);
      }),
    );
  });

  it('returns a buffer that already owns its memory as it is', () => {
    const own = Buffer.allocUnsafeSlow(64);
    expect(unpooled(own)).toBe(own);
  });
});
