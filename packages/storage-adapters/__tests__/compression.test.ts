import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatMessages, compressionRatio } from '../bench/lib/chatText.js';
import { ContentEncoding, createContentCodec, zstdAvailable } from '../src/index.js';

describe('content codec', () => {
  it('round-trips any string in every mode and threshold', () => {
    const modes = zstdAvailable() ? (['none', 'deflate', 'zstd'] as const) : (['none', 'deflate'] as const);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 500 }),
        fc.constantFrom(...modes),
        fc.nat(300),
        (s, mode, t) => {
          const codec = createContentCodec({ compression: mode, compressionThreshold: t });
          const e = codec.encode(s);
          expect(codec.decode(e.text, e.bytes, e.enc)).toBe(s);
          if (e.bytes) expect(e.bytes.length).toBeLessThan(Buffer.byteLength(s));
        },
      ),
    );
  });

  it('keeps short content plain and compresses long repetitive content', () => {
    const codec = createContentCodec({ compression: 'deflate' });
    expect(codec.encode('gg wp').enc).toBe(ContentEncoding.Plain);
    const long = codec.encode('lol '.repeat(100));
    expect(long.enc).toBe(ContentEncoding.DeflateRaw);
    expect(long.text).toBe('');
  });

  it('decoding random bytes gives a string or a CORRUPT error, never a crash', () => {
    const codec = createContentCodec({ compression: 'deflate' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -1, max: 5 }), (bytes, enc) => {
        try {
          expect(typeof codec.decode('', bytes, enc)).toBe('string');
        } catch (err) {
          expect(err).toMatchObject({ code: 'CORRUPT' });
        }
      }),
    );
    expect(() => codec.decode('', null, ContentEncoding.DeflateRaw)).toThrow(
      expect.objectContaining({ code: 'CORRUPT' }),
    );
  });

  it('rejects unknown modes, bad thresholds and zstd where node:zlib lacks it', () => {
    expect(() => createContentCodec({ compression: 'lz4' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => createContentCodec({ compressionThreshold: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    if (!zstdAvailable()) {
      expect(() => createContentCodec({ compression: 'zstd' })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('saves space on realistic chat text without touching short lines', () => {
    const messages = chatMessages(5000, 7);
    const deflate = compressionRatio(messages, createContentCodec({ compression: 'deflate' }).encode);
    const none = compressionRatio(messages, createContentCodec({ compression: 'none' }).encode);
    expect(none.ratio).toBe(1);
    expect(deflate.ratio).toBeLessThan(0.8);
    expect(deflate.compressedRows).toBeLessThan(messages.length / 2);
  });
});
