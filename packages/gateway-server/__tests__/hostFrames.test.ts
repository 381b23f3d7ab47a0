import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameKind, type FrameKindValue, FrameReader, HostError } from '../src/host/index.js';

const kind = fc.constantFrom<FrameKindValue>(
  FrameKind.hello,
  FrameKind.subscribe,
  FrameKind.unsubscribe,
  FrameKind.message,
);
const frame = fc.record({
  kind,
  topic: fc.string({ maxLength: 40 }),
  body: fc.uint8Array({ maxLength: 300 }),
});

/** Splits `bytes` at the given (sorted, deduplicated) cut points. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

describe('host link frames', () => {
  it('reads back any frames however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(f.kind, f.topic, f.body)));
        const reader = new FrameReader(1 << 20);
        const out: { kind: number; topic: string; body: Buffer }[] = [];
        for (const chunk of split(bytes, cuts)) {
          reader.push(chunk, (f) => out.push({ kind: f.kind, topic: f.topic, body: Buffer.from(f.body) }));
        }
        expect(reader.buffered).toBe(0);
        expect(out).toEqual(frames.map((f) => ({ kind: f.kind, topic: f.topic, body: Buffer.from(f.body) })));
      }),
      { numRuns: 300 },
    );
  });

  it('fails hostile bytes with BAD_FRAME or holds at most what was given, never more than the frame bound', () => {
    const max = 4096;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const reader = new FrameReader(max);
        let given = 0;
        try {
          for (const chunk of chunks) {
            given += chunk.length;
            reader.push(Buffer.from(chunk), () => undefined);
            // Held bytes are a partial frame: never more than arrived, never past the bound.
            expect(reader.buffered).toBeLessThanOrEqual(Math.min(given, max + 4));
          }
        } catch (error) {
          expect(error).toBeInstanceOf(HostError);
          expect((error as HostError).code).toBe('BAD_FRAME');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a frame longer than the bound before buffering it', () => {
    const reader = new FrameReader(1024);
    const head = Buffer.alloc(7);
    head.writeUInt32BE(1 << 30, 0);
    head[4] = FrameKind.message;
    expect(() => reader.push(head, () => undefined)).toThrow(HostError);
  });
});
