import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatchStream } from '../bench/lib/dispatches.js';
import * as portable from '../src/compression/index.js';
import * as node from '../src/compression/node.js';
import { wrapSyncEngine } from '../src/compression/syncZlibEngine.js';
import { ProtocolError } from '../src/index.js';
import { encodeJson } from '../src/json/index.js';

const SUFFIX = Buffer.from([0, 0, 0xff, 0xff]);
const encoder = new TextEncoder();
const payloads = dispatchStream({ count: 200 }).map((p) => encodeJson(p));

const deflaters = {
  node: node.createNodeZlibStreamDeflater,
  portable: portable.createPortableZlibStreamDeflater,
} as const;
const inflaters = {
  node: node.createNodeZlibStreamInflater,
  portable: portable.createPortableZlibStreamInflater,
} as const;

function compressAll(make: () => portable.StreamDeflater, data: readonly string[]): Uint8Array[] {
  const deflater = make();
  const frames = data.map((p) => deflater.compress(p));
  deflater.close();
  return frames;
}

function expectError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  expect((thrown as ProtocolError).code).toBe(code);
}

/** The classic bomb: 10 MB of zeros is a few KB of deflate. */
function bombFrame(): Uint8Array {
  const frame = zlib.deflateSync(Buffer.alloc(10 * 1024 * 1024), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  expect(frame.byteLength).toBeLessThan(20_000);
  return frame;
}

describe('node sync zlib path', () => {
  it('is available on this Node (else the node entry silently uses the portable path)', () => {
    expect(node.syncZlibSupported()).toBe(true);
    expect(node.compressionBackend).toBe('node:zlib');
    expect(portable.compressionBackend).toBe('portable');
  });

  it('wrapSyncEngine refuses objects without the expected shape (the fallback trigger)', () => {
    expect(wrapSyncEngine({}, zlib.constants.Z_SYNC_FLUSH)).toBeNull();
    expect(wrapSyncEngine(null, zlib.constants.Z_SYNC_FLUSH)).toBeNull();
    expect(wrapSyncEngine({ _processChunk() {}, _handle: null }, zlib.constants.Z_SYNC_FLUSH)).toBeNull();
    const engine = wrapSyncEngine(zlib.createDeflate(), zlib.constants.Z_SYNC_FLUSH);
    expect(engine).not.toBeNull();
    engine!.close();
    expect(() => engine!.process(Buffer.from('x'))).toThrow();
  });

  it('the node entry exports the node implementation under the generic names', () => {
    expect(node.createZlibStreamDeflater).toBe(node.createNodeZlibStreamDeflater);
    expect(portable.createZlibStreamDeflater).toBe(portable.createPortableZlibStreamDeflater);
  });
});

for (const [dname, makeDeflater] of Object.entries(deflaters)) {
  for (const [iname, makeInflater] of Object.entries(inflaters)) {
    describe(`zlib-stream ${dname} deflater -> ${iname} inflater`, () => {
      it('round-trips 200 dispatches through one context, each frame ending in 00 00 FF FF', () => {
        const frames = compressAll(() => makeDeflater(), payloads);
        const inflater = makeInflater();
        frames.forEach((frame, i) => {
          expect(Buffer.from(frame.subarray(-4)).equals(SUFFIX)).toBe(true);
          const out = inflater.push(frame);
          expect(out).not.toBeNull();
          expect(new TextDecoder().decode(out!)).toBe(payloads[i]);
        });
        inflater.close();
        // One shared context: later frames are much smaller than compressing each payload alone.
        const total = frames.reduce((n, f) => n + f.byteLength, 0);
        const alone = payloads.reduce((n, p) => n + zlib.deflateSync(p).byteLength, 0);
        expect(total).toBeLessThan(alone * 0.6);
      });

      it('buffers frames split at random points until the suffix', () => {
        const frames = compressAll(() => makeDeflater(), payloads.slice(0, 60));
        fc.assert(
          fc.property(fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), (cuts) => {
            const inflater = makeInflater();
            frames.forEach((frame, i) => {
              const cut = cuts[i]! % frame.byteLength;
              // The split can land inside the 00 00 FF FF suffix itself.
              expect(inflater.push(frame.subarray(0, cut))).toBeNull();
              const out = inflater.push(frame.subarray(cut));
              expect(new TextDecoder().decode(out!)).toBe(payloads[i]);
            });
            inflater.close();
          }),
          { numRuns: 5 },
        );
      });
    });
  }
}

describe('zlib-stream interop with plain zlib', () => {
  it('the concatenated stream inflates with zlib.inflateSync (both deflaters)', () => {
    for (const make of Object.values(deflaters)) {
      const frames = compressAll(() => make(), payloads.slice(0, 100));
      const whole = zlib.inflateSync(Buffer.concat(frames), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(whole.toString()).toBe(payloads.slice(0, 100).join(''));
    }
  });

  it('a stream from a plain zlib.Deflate stream (as Discord sends) inflates with both inflaters', async () => {
    const deflate = zlib.createDeflate();
    const frames: Buffer[] = [];
    for (const p of payloads.slice(0, 50)) {
      deflate.write(p);
      frames.push(
        await new Promise<Buffer>((resolve) => {
          const chunks: Buffer[] = [];
          const onData = (c: Buffer) => chunks.push(c);
          deflate.on('data', onData);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            deflate.off('data', onData);
            resolve(Buffer.concat(chunks));
          });
        }),
      );
    }
    deflate.close();
    for (const make of Object.values(inflaters)) {
      const inflater = make();
      for (const [i, frame] of frames.entries()) {
        expect(Buffer.from(inflater.push(frame)!).toString()).toBe(payloads[i]);
      }
    }
  });

  it('accepts bytes and strings alike, UTF-8 included', () => {
    for (const make of Object.values(deflaters)) {
      const deflater = make();
      const inflater = node.createNodeZlibStreamInflater();
      expect(Buffer.from(inflater.push(deflater.compress('héllo €'))!).toString()).toBe('héllo €');
      expect(Buffer.from(inflater.push(deflater.compress(encoder.encode('bytes')))!).toString()).toBe('bytes');
    }
  });

  it('a result stays valid after later calls (no shared output buffer)', () => {
    for (const make of Object.values(deflaters)) {
      const deflater = make();
      const first = deflater.compress(payloads[0]!);
      const copy = Buffer.from(first);
      deflater.compress(payloads[1]!);
      expect(Buffer.from(first).equals(copy)).toBe(true);
    }
    const inflater = node.createNodeZlibStreamInflater();
    const frames = compressAll(node.createNodeZlibStreamDeflater, ['aaaa', 'bbbb']);
    const a = inflater.push(frames[0]!)!;
    inflater.push(frames[1]!);
    expect(Buffer.from(a).toString()).toBe('aaaa');
  });
});

describe('zlib-stream limits and bad input', () => {
  for (const [name, make] of Object.entries(inflaters)) {
    it(`${name}: refuses a 10 MB bomb above maxOutput with DECOMPRESSION_LIMIT, accepts up to the limit`, () => {
      const frame = bombFrame();
      const small = make({ maxOutput: 1024 * 1024 });
      expectError(() => small.push(frame), 'DECOMPRESSION_LIMIT');
      // The context is dead afterwards.
      expectError(() => small.push(frame), 'CLOSED');
      // Below the limit the same kind of frame goes through (2 MB: pure-JS inflate of long runs is slow).
      const smallBomb = zlib.deflateSync(Buffer.alloc(2 * 1024 * 1024), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(make({ maxOutput: 2 * 1024 * 1024 }).push(smallBomb)!.byteLength).toBe(2 * 1024 * 1024);
    });

    it(`${name}: refuses to buffer more than maxInput without a suffix`, () => {
      const inflater = make({ maxInput: 1000 });
      expect(inflater.push(new Uint8Array(600))).toBeNull();
      expectError(() => inflater.push(new Uint8Array(600)), 'DECOMPRESSION_LIMIT');
    });

    it(`${name}: corrupt input gives DECOMPRESSION_ERROR`, () => {
      expectError(() => make().push(Uint8Array.of(1, 2, 3, 4, 0, 0, 0xff, 0xff)), 'DECOMPRESSION_ERROR');
      const frames = compressAll(node.createNodeZlibStreamDeflater, payloads.slice(0, 3));
      const inflater = make();
      inflater.push(frames[0]!);
      const broken = Uint8Array.from(frames[1]!);
      broken[0] = 0x07; // a final block of the reserved type 3

      expectError(() => inflater.push(broken), 'DECOMPRESSION_ERROR');
    });

    it(`${name}: random frames only ever give a typed error or bytes`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc.uint8Array({ maxLength: 64 }),
              fc.uint8Array({ maxLength: 60 }).map((b) => Uint8Array.of(0x78, 0x9c, ...b, 0, 0, 0xff, 0xff)),
            ),
            { maxLength: 6 },
          ),
          (frames) => {
            const inflater = make({ maxOutput: 1 << 20 });
            for (const frame of frames) {
              try {
                const out = inflater.push(frame);
                if (out !== null) expect(out).toBeInstanceOf(Uint8Array);
              } catch (error) {
                expect(error).toBeInstanceOf(ProtocolError);
                return;
              }
            }
          },
        ),
        { numRuns: 200 },
      );
    });

    it(`${name}: damaged frames give bytes or a typed error, never a crash`, () => {
      // Deflate has no checksum per flush, so a damaged frame may inflate to other bytes: the codec's decode is
      // what catches that. What must hold is that the inflater never throws anything untyped.
      const frames = compressAll(node.createNodeZlibStreamDeflater, payloads.slice(0, 5));
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (which, at, byte) => {
          const inflater = make();
          inflater.push(frames[0]!);
          const frame = frames[which]!;
          const start = at % Math.max(1, frame.byteLength - 4);
          const dropped = Uint8Array.of(...frame.subarray(0, start), ...frame.subarray(start + 1));
          const flipped = Uint8Array.from(frame);
          flipped[start] = byte;
          for (const damaged of [dropped, flipped]) {
            try {
              const out = inflater.push(damaged);
              expect(out === null || out instanceof Uint8Array).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(ProtocolError);
              return;
            }
          }
        }),
        { numRuns: 100 },
      );
    });
  }

  it('deflaters refuse use after close', () => {
    for (const make of Object.values(deflaters)) {
      const deflater = make();
      deflater.close();
      deflater.close();
      expectError(() => deflater.compress('x'), 'CLOSED');
    }
  });
});
