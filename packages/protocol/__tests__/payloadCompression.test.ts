import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as portable from '../src/compression/index.js';
import * as node from '../src/compression/node.js';
import { ProtocolError } from '../src/index.js';

const pairs = {
  node: { deflate: node.nodeDeflatePayload, inflate: node.nodeInflatePayload },
  portable: { deflate: portable.portableDeflatePayload, inflate: portable.portableInflatePayload },
} as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return undefined;
}

describe('compress:true payload compression', () => {
  for (const [dname, d] of Object.entries(pairs)) {
    for (const [iname, i] of Object.entries(pairs)) {
      it(`${dname} deflate -> ${iname} inflate round-trips, each frame self-contained`, () => {
        fc.assert(
          fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
            const frame = d.deflate(text);
            expect(frame[0]).toBe(0x78); // a complete zlib stream with its header
            expect(Buffer.from(i.inflate(frame)).toString()).toBe(text);
            expect(zlib.inflateSync(frame).toString()).toBe(text);
          }),
          { numRuns: 25 },
        );
      });
    }
  }

  for (const [name, { inflate }] of Object.entries(pairs)) {
    it(`${name}: bomb above maxOutput -> DECOMPRESSION_LIMIT`, () => {
      const bomb = zlib.deflateSync(Buffer.alloc(10 * 1024 * 1024));
      expect(codeOf(() => inflate(bomb, { maxOutput: 1 << 20 }))).toBe('DECOMPRESSION_LIMIT');
      const smaller = zlib.deflateSync(Buffer.alloc(2 * 1024 * 1024));
      expect(inflate(smaller, { maxOutput: 2 * 1024 * 1024 }).byteLength).toBe(2 * 1024 * 1024);
      expect(codeOf(() => inflate(smaller, { maxOutput: 2 * 1024 * 1024 - 1 }))).toBe('DECOMPRESSION_LIMIT');
    });

    it(`${name}: random and truncated input -> typed error`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          codeOf(() => inflate(bytes, { maxOutput: 1 << 20 }));
        }),
        { numRuns: 300 },
      );
      const frame = zlib.deflateSync(Buffer.from('{"op":0,"d":{"content":"hello hello hello"}}'));
      for (let cut = 0; cut < frame.byteLength - 4; cut++) {
        expect(
          codeOf(() => inflate(frame.subarray(0, cut))),
          String(cut),
        ).toBe('DECOMPRESSION_ERROR');
      }
    });
  }
});
