// The gateway's WebSocket frame reader (src/transport/FrameReader.ts) against RFC 6455 §5: whole messages out of any
// split of the input, and hostile input refused with its close code, in time and memory bounded by the input.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameReader } from '../src/transport/FrameReader.js';

type Event = ['message', string, boolean] | ['ping', string] | ['close', number] | ['error', number];

/** A reader that records what it reads (messages as hex, to compare binary and text alike). */
class Recorder extends FrameReader {
  readonly events: Event[] = [];
  protected onMessage(data: Buffer, binary: boolean): void {
    this.events.push(['message', data.toString('hex'), binary]);
  }
  protected onPing(data: Buffer): void {
    this.events.push(['ping', data.toString('hex')]);
  }
  protected onCloseFrame(code: number): void {
    this.events.push(['close', code]);
  }
  protected onProtocolError(code: number): void {
    this.events.push(['error', code]);
  }
}

const LIMIT = 4096;

/** A masked client frame; `lengthForm` forces the 16- or 64-bit length field (allowed for any length). */
function frame(
  opcode: number,
  payload: Uint8Array,
  options: { fin?: boolean; mask?: number[]; lengthForm?: 7 | 16 | 64 } = {},
): Buffer {
  const { fin = true, mask = [0x12, 0x34, 0x56, 0x78] } = options;
  const length = payload.length;
  const form = options.lengthForm ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  const header = Buffer.alloc(form === 7 ? 2 : form === 16 ? 4 : 10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (form === 7) header[1] = 0x80 | length;
  else if (form === 16) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([header, Buffer.from(mask), masked]);
}

/** Feeds `input` cut at `cuts` (each chunk its own copy, as a socket hands them over). */
function read(input: Buffer, cuts: number[] = [], limit = LIMIT): Recorder {
  const reader = new Recorder();
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < input.length)].sort((a, b) => a - b).concat(input.length)) {
    if (cut > at) reader.feed(Buffer.from(input.subarray(at, cut)), limit);
    at = Math.max(at, cut);
  }
  return reader;
}

/** A message as a client may send it: text or binary, whole or in fragments with pings between them. */
const message = fc.record({
  binary: fc.boolean(),
  text: fc.string({ unit: 'grapheme', maxLength: 200 }),
  bytes: fc.uint8Array({ maxLength: 600 }),
  fragments: fc.array(fc.nat(), { maxLength: 4 }),
  pings: fc.array(fc.uint8Array({ maxLength: 125 }), { maxLength: 2 }),
  mask: fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }),
  wideLength: fc.constantFrom<(7 | 16 | 64 | undefined)[]>(undefined, 16, 64),
});

type Message = typeof message extends fc.Arbitrary<infer T> ? T : never;

function encode(m: Message[], trailer: Buffer): { input: Buffer; expected: Event[] } {
  const parts: Buffer[] = [];
  const expected: Event[] = [];
  for (const one of m) {
    const payload = one.binary ? Buffer.from(one.bytes) : Buffer.from(one.text);
    // Fragment boundaries anywhere, even inside a UTF-8 sequence: only the whole message must be valid.
    const cuts = [...new Set(one.fragments.map((f) => f % (payload.length + 1)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const cut of cuts) {
      pieces.push(payload.subarray(at, cut));
      at = cut;
    }
    pieces.push(payload.subarray(at));
    pieces.forEach((piece, i) => {
      const lengthForm =
        one.wideLength === 64 || (one.wideLength === 16 && piece.length < 65536) ? one.wideLength : undefined;
      parts.push(
        frame(i === 0 ? (one.binary ? 2 : 1) : 0, piece, { fin: i === pieces.length - 1, mask: one.mask, lengthForm }),
      );
      const ping = one.pings[i];
      if (ping !== undefined && i < pieces.length - 1) {
        parts.push(frame(9, ping, { mask: one.mask }));
        expected.push(['ping', Buffer.from(ping).toString('hex')]);
      }
    });
    expected.push(['message', payload.toString('hex'), one.binary]);
  }
  parts.push(trailer);
  return { input: Buffer.concat(parts), expected };
}

const closeFrame = (code: number, reason = Buffer.alloc(0)) => {
  const payload = Buffer.alloc(2 + reason.length);
  payload.writeUInt16BE(code);
  reason.copy(payload, 2);
  return frame(8, payload);
};

/** Sizes of the Buffers the reader asks for while `run` runs. */
function allocations(run: () => void): number[] {
  const sizes: number[] = [];
  const allocUnsafe = Buffer.allocUnsafe;
  const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
    sizes.push(size);
    return allocUnsafe(size);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return sizes;
}

afterEach(() => vi.restoreAllMocks());

describe('FrameReader: valid input', () => {
  it('reads the same messages, pings and close however the input is split into chunks', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.nat(8000), { maxLength: 30 }), (messages, cuts) => {
        const { input, expected } = encode(messages, closeFrame(4000));
        expect(read(input).events).toEqual([...expected, ['close', 4000]]);
        expect(read(input, cuts).events).toEqual([...expected, ['close', 4000]]);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a frame fed one byte at a time (a slow client) and holds only its header until its length is known', () => {
    const input = frame(1, Buffer.from('{"op":1,"d":null}'));
    const reader = new Recorder();
    const sizes = allocations(() => {
      for (let i = 0; i < input.length; i++) reader.feed(Buffer.from([input[i]!]), LIMIT);
    });
    expect(reader.events).toEqual([['message', Buffer.from('{"op":1,"d":null}').toString('hex'), false]]);
    // The partial header joined with each byte (< 16 bytes), then one buffer of the declared size plus its mask.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(17 + 4);
  });

  it('accepts a message of exactly the limit, fragments included, and a 125-byte ping', () => {
    const half = Buffer.alloc(LIMIT / 2, 0x61);
    const input = Buffer.concat([frame(1, half, { fin: false }), frame(9, Buffer.alloc(125)), frame(0, half)]);
    expect(read(input, [3, 100, 2100]).events.map((e) => e[0])).toEqual(['ping', 'message']);
  });

  it('ignores pongs and everything after the close frame', () => {
    const input = Buffer.concat([frame(10, Buffer.from('x')), closeFrame(1000), frame(1, Buffer.from('late'))]);
    expect(read(input).events).toEqual([['close', 1000]]);
    expect(read(frame(8, Buffer.alloc(0))).events).toEqual([['close', 1005]]);
  });
});

describe('FrameReader: hostile input', () => {
  const refused = (input: Buffer, cuts: number[] = []) => read(input, cuts).events;

  it('refuses a declared length of 2^63 (or anything past 2^53 - 1) with 1009, allocating nothing for it', () => {
    const header = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    let events: Event[] = [];
    const sizes = allocations(() => {
      events = refused(header, [1, 5]);
    });
    expect(events).toEqual([['error', 1009]]);
    expect(sizes.every((size) => size < 64)).toBe(true);
    const past53 = Buffer.from([0x82, 0xff, 0, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(refused(past53)).toEqual([['error', 1009]]);
  });

  it('refuses a frame, or fragments together, over the limit with 1009 before reading them', () => {
    const header = frame(2, Buffer.alloc(LIMIT + 1)).subarray(0, 8);
    const sizes = allocations(() => expect(refused(header)).toEqual([['error', 1009]]));
    expect(sizes.every((size) => size < 64)).toBe(true);
    const half = Buffer.alloc(LIMIT / 2 + 1);
    expect(refused(Buffer.concat([frame(2, half, { fin: false }), frame(0, half)]))).toEqual([['error', 1009]]);
  });

  it('refuses an unmasked client frame with 1002', () => {
    expect(refused(Buffer.from([0x81, 0x02, 0x68, 0x69]))).toEqual([['error', 1002]]);
  });

  it('refuses fragmented and oversized control frames with 1002', () => {
    expect(refused(frame(9, Buffer.from('p'), { fin: false }))).toEqual([['error', 1002]]);
    expect(refused(frame(9, Buffer.alloc(126)))).toEqual([['error', 1002]]);
    expect(refused(frame(8, Buffer.alloc(126)))).toEqual([['error', 1002]]);
  });

  it('refuses RSV bits, unknown opcodes and broken continuation with 1002', () => {
    const rsv = frame(1, Buffer.from('x'));
    rsv[0]! |= 0x40;
    expect(refused(rsv)).toEqual([['error', 1002]]);
    for (const opcode of [3, 7, 11, 15]) expect(refused(frame(opcode, Buffer.from('x')))).toEqual([['error', 1002]]);
    expect(refused(frame(0, Buffer.from('x')))).toEqual([['error', 1002]]);
    const twoStarts = Buffer.concat([frame(1, Buffer.from('a'), { fin: false }), frame(1, Buffer.from('b'))]);
    expect(refused(twoStarts)).toEqual([['error', 1002]]);
  });

  it('refuses text that is not UTF-8 with 1007, whole or once its fragments are joined', () => {
    expect(refused(frame(1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))).toEqual([['error', 1007]]);
    const split = Buffer.concat([frame(1, Buffer.from([0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0x41]))]);
    expect(refused(split)).toEqual([['error', 1007]]);
    // A character split between fragments is fine.
    const euro = Buffer.concat([frame(1, Buffer.from([0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0xac]))]);
    expect(refused(euro)).toEqual([['message', 'e282ac', false]]);
  });

  it('refuses close frames with a code RFC 6455 §7.4 does not allow, of 1 byte, or with a reason not UTF-8', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      expect(refused(closeFrame(code))).toEqual([['error', 1002]]);
    }
    for (const code of [1000, 1001, 1011, 1014, 3000, 4000, 4999])
      expect(refused(closeFrame(code))).toEqual([['close', code]]);
    expect(refused(frame(8, Buffer.from([3])))).toEqual([['error', 1002]]);
    expect(refused(closeFrame(1000, Buffer.from([0xff])))).toEqual([['error', 1007]]);
  });

  it('holds a slowloris partial frame as bytes of its declared (checked) size, and nothing else', () => {
    const input = frame(1, Buffer.alloc(3000, 0x61));
    const reader = new Recorder();
    const sizes = allocations(() => {
      reader.feed(Buffer.from(input.subarray(0, 9)), LIMIT);
      for (let i = 9; i < 200; i++) reader.feed(Buffer.from(input.subarray(i, i + 1)), LIMIT);
    });
    expect(reader.events).toEqual([]);
    expect(sizes).toEqual([3004]);
  });

  it('never throws on random bytes, allocates within the limit, and stops at a protocol close code', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 12 }),
        fc.boolean(),
        (chunks, validStart) => {
          const reader = new Recorder();
          const input = validStart ? [frame(1, Buffer.from('{}'), { fin: false }), ...chunks] : chunks;
          const longest = Math.max(0, ...input.map((c) => c.length));
          const sizes = allocations(() => {
            for (const chunk of input) reader.feed(Buffer.from(chunk), LIMIT);
          });
          // A payload buffer (limit + mask), a fragment buffer (the limit), or a header joined with one chunk.
          for (const size of sizes) expect(size).toBeLessThanOrEqual(Math.max(LIMIT + 4, longest + 14));
          const ends = reader.events.filter((e) => e[0] === 'error' || e[0] === 'close');
          expect(ends.length).toBeLessThanOrEqual(1);
          if (ends.length === 1) {
            expect(reader.events.at(-1)).toBe(ends[0]);
            if (ends[0]![0] === 'error') expect([1002, 1007, 1009]).toContain(ends[0]![1]);
            expect(reader.readerDone).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
