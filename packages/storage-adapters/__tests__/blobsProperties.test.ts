import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidBlobKeyError, isValidBlobKey, validateBlobKey } from '../src/blobs/index.js';
import { parseRangeHeader } from '../src/blobs/parseRangeHeader.js';
import { DIMENSION_SCAN_BYTES, MAX_DIMENSION_READS, probeImageDimensions } from '../src/blobs/readImageDimensions.js';
import { resolveBlobPath } from '../src/blobs/resolveBlobPath.js';
import { IMAGES_3X2 } from './blobFixtures.js';

// Budgets: enough runs to find edge cases, small enough inputs to keep the suite fast on a 2-core machine.
const RUNS = { numRuns: 500 } as const;

const size = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const digits = fc.oneof(
  fc.integer({ min: 0, max: 200 }).map(String),
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 40 }),
);
const spec = fc.oneof(
  fc.tuple(digits, digits).map(([a, b]) => `${a}-${b}`),
  digits.map((a) => `${a}-`),
  digits.map((n) => `-${n}`),
  fc.string({ unit: fc.constantFrom(...'0123456789-, \t=abxyz'), maxLength: 12 }),
);
const rangeHeader = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc
    .tuple(
      fc.constantFrom('bytes', 'BYTES', 'Bytes', 'bits', ''),
      fc.array(spec, { maxLength: 4 }),
      fc.constantFrom(',', ', ', ' ,'),
    )
    .map(([unit, specs, separator]) => `${unit}=${specs.join(separator)}`),
);

describe('parseRangeHeader (property)', () => {
  it('never throws and only returns integer ranges inside the body', () => {
    fc.assert(
      fc.property(rangeHeader, size, (header, total) => {
        const parsed = parseRangeHeader(header, total);
        if (parsed.kind === 'range') {
          expect(Number.isSafeInteger(parsed.start) && Number.isSafeInteger(parsed.end)).toBe(true);
          expect(0 <= parsed.start && parsed.start <= parsed.end && parsed.end < total).toBe(true);
        }
        if (total === 0) expect(parsed.kind).not.toBe('range');
      }),
      RUNS,
    );
  });

  it('agrees with a BigInt reference for single well-formed ranges', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.option(fc.bigInt({ min: 0n, max: 10n ** 30n })),
        fc.integer({ min: 0, max: 1000 }),
        (first, last, total) => {
          const header = `bytes=${first}-${last ?? ''}`;
          const parsed = parseRangeHeader(header, total);
          const t = BigInt(total);
          if (last !== null && last < first) expect(parsed).toEqual({ kind: 'none' });
          else if (first >= t) expect(parsed).toEqual({ kind: 'unsatisfiable' });
          else {
            const end = last === null || last >= t ? t - 1n : last;
            expect(parsed).toEqual({ kind: 'range', start: Number(first), end: Number(end) });
          }
        },
      ),
      RUNS,
    );
  });
});

describe('readImageDimensions (property)', () => {
  const magic = fc.constantFrom(
    new Uint8Array(0),
    new Uint8Array([0xff, 0xd8]),
    new Uint8Array([0xff, 0xd8, 0xff]),
    Buffer.from('\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR', 'latin1'),
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'),
    Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8L', 'latin1'),
    Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8X', 'latin1'),
  );
  // Magic numbers followed by noise, so the parsers get past their first check; and truncated or bit-flipped real images.
  const noisy = fc.tuple(magic, fc.uint8Array({ maxLength: 300 })).map(([head, tail]) => Buffer.concat([head, tail]));
  const damaged = fc
    .tuple(
      fc.constantFrom(...Object.values(IMAGES_3X2)),
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }),
    )
    .map(([image, cut, flips]) => {
      const copy = Buffer.from(image.subarray(0, cut % (image.length + 1)));
      for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
      return copy;
    });

  it('never throws and stays within its read budget on arbitrary, noisy and damaged bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), noisy, damaged), (bytes) => {
        const { dimensions, reads } = probeImageDimensions(bytes);
        expect(reads).toBeLessThanOrEqual(MAX_DIMENSION_READS);
        // Work is also proportional to the input: a few reads per byte at most.
        expect(reads).toBeLessThanOrEqual(2 * bytes.length + 64);
        if (dimensions !== undefined) {
          expect(Number.isSafeInteger(dimensions.width) && dimensions.width > 0).toBe(true);
          expect(Number.isSafeInteger(dimensions.height) && dimensions.height > 0).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('reads no further than the scan window on long hostile inputs', () => {
    // A JPEG that is nothing but fill bytes and standalone markers: the worst case for the marker walk.
    const markers = Buffer.alloc(DIMENSION_SCAN_BYTES * 2);
    markers.set([0xff, 0xd8]);
    for (let i = 2; i < markers.length; i += 2) markers.set([0xff, 0xd0], i);
    const fill = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(DIMENSION_SCAN_BYTES * 2, 0xff)]);
    for (const bytes of [markers, fill]) {
      const { dimensions, reads } = probeImageDimensions(bytes);
      expect(dimensions).toBeUndefined();
      expect(reads).toBeLessThanOrEqual(MAX_DIMENSION_READS);
    }
  });
});

describe('validateBlobKey (property)', () => {
  const root = resolve('/srv/blobs');
  const hostileUnit = fc.constantFrom(
    'a',
    'b',
    '0',
    '.',
    '..',
    '/',
    '\\',
    '%',
    '%2e',
    ':',
    '\u0000',
    '-',
    '_',
    '~',
    ' ',
    'C:',
    '\u2024',
    'é',
  );
  const keyish = fc.oneof(
    fc.string({ maxLength: 64 }),
    fc.array(hostileUnit, { maxLength: 24 }).map((parts) => parts.join('')),
    fc
      .array(fc.string({ unit: fc.constantFrom('a', '.', '-', '_'), maxLength: 5 }), { maxLength: 6 })
      .map((segments) => segments.join('/')),
  );

  it('accepted keys always resolve strictly inside the store directory', () => {
    fc.assert(
      fc.property(keyish, (key) => {
        if (!isValidBlobKey(key)) {
          expect(() => validateBlobKey(key)).toThrow(InvalidBlobKeyError);
          return;
        }
        const path = resolveBlobPath(root, key);
        const rel = relative(root, path);
        expect(rel.length).toBeGreaterThan(0);
        expect(isAbsolute(rel)).toBe(false);
        expect(rel.split(sep)).not.toContain('..');
        expect(path.startsWith(root + sep)).toBe(true);
        // The key maps to the path it spells: nothing was normalised away.
        expect(path).toBe(join(root, ...key.split('/')));
      }),
      { numRuns: 1000 },
    );
  });

  it('throws only InvalidBlobKeyError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          validateBlobKey(value);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidBlobKeyError);
        }
      }),
      RUNS,
    );
  });
});
