import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonString } from '../src/serialize/jsonString.js';

describe('jsonString', () => {
  it('is JSON.stringify for any string (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string(), fc.stringMatching(/^[0-9a-z:/.-]{0,40}$/)),
        (s) => {
          expect(jsonString(s)).toBe(JSON.stringify(s));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes plain strings itself and escapes the rest', () => {
    expect(jsonString('1200000000000000000')).toBe('"1200000000000000000"');
    expect(jsonString('ws://127.0.0.1:8080')).toBe('"ws://127.0.0.1:8080"');
    for (const s of ['"', '\\', '\n', '\u007f', 'é', '\ud800', '']) expect(jsonString(s)).toBe(JSON.stringify(s));
  });
});
