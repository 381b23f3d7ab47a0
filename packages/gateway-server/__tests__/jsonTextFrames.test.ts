// (Event names of no Discord dispatch: test runs hold Discord's own events to their documented shape.)
// Dispatches whose `d` is JSON text (READY, GUILD_CREATE) written straight into their WebSocket frame, and frames
// written one after another into one buffer (a burst's single write): the bytes must be those of the template path.
import { getEncoding } from '@concord/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { type JsonText, writeJsonWsFrameAt } from '../src/wire/frames.js';

/** The whole frame as the template path writes it for `{"op":0,"t":event,"d":text,"s":seq}`. */
function expected(event: string, text: string, seq: number): Buffer {
  const payload = Buffer.from(`{"op":0,"t":${JSON.stringify(event)},"d":${text},"s":${seq}}`, 'utf8');
  const n = payload.length;
  const header =
    n < 126
      ? Buffer.from([0x81, n])
      : n < 65536
        ? Buffer.from([0x81, 126, n >> 8, n & 255])
        : Buffer.concat([Buffer.from([0x81, 127]), Buffer.from(new BigUint64Array([BigInt(n)]).buffer).reverse()]);
  return Buffer.concat([header, payload]);
}

/** `text` cut at `cuts` (between code points, as real pieces are) into pieces, every other one as bytes. */
function piecesOf(text: string, cuts: number[]): JsonText {
  const points = Array.from(text);
  const at = [...new Set(cuts.map((c) => c % (points.length + 1)))].sort((a, b) => a - b);
  const out: (string | Uint8Array)[] = [];
  let from = 0;
  for (const cut of [...at, points.length]) {
    const piece = points.slice(from, cut).join('');
    out.push(out.length % 2 === 0 ? piece : Buffer.from(piece, 'utf8'));
    from = cut;
  }
  return out;
}

// Texts either side of the 126 and 65 536 byte header boundaries, with multi-byte characters.
const texts = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  // READY- and GUILD_CREATE-sized: written before they are measured when the buffer has room (wire/frames.ts).
  fc.string({ unit: 'grapheme', minLength: 40, maxLength: 400 }),
  fc.integer({ min: 65_440, max: 65_560 }).map((n) => 'x'.repeat(n)),
);
const seqs = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

describe('JSON text dispatches', () => {
  const json = getEncoding('json');

  it('write the same frame as the template path, as one text or in pieces (property)', () => {
    fc.assert(
      fc.property(texts, seqs, fc.array(fc.nat(), { maxLength: 4 }), (raw, seq, cuts) => {
        const text = JSON.stringify(raw);
        const want = expected('TEXT_A', text, seq);
        for (const body of [text, piecesOf(text, cuts)]) {
          const dispatch = PreparedDispatch.jsonForOne('TEXT_A', body);
          expect(dispatch.wsFrame(json, true, seq).equals(want)).toBe(true);
          // Into a buffer at an offset, header first: the frame and nothing around it.
          const out = Buffer.alloc(want.length + 20, 0xee);
          expect(dispatch.writeWsFrame(json, true, seq, out, 7)).toBe(7 + want.length);
          expect(out.subarray(7, 7 + want.length).equals(want)).toBe(true);
          expect(out[6]).toBe(0xee);
          expect(out[7 + want.length]).toBe(0xee);
          // Room for the longest the text could encode to: a payload of 126 bytes or more is written before it is
          // measured (wire/frames.ts), the header put in front after; the same frame, nothing around it.
          const roomy = Buffer.alloc(3 * want.length + 64, 0xee);
          expect(dispatch.writeWsFrame(json, true, seq, roomy, 7)).toBe(7 + want.length);
          expect(roomy.subarray(7, 7 + want.length).equals(want)).toBe(true);
          expect(roomy[6]).toBe(0xee);
          expect(roomy[7 + want.length]).toBe(0xee);
          // No room: nothing written.
          const small = Buffer.alloc(want.length + 6, 0xee);
          expect(dispatch.writeWsFrame(json, true, seq, small, 7)).toBe(-1);
          expect(small.every((b) => b === 0xee)).toBe(true);
          // The paths that take a template (zlib, compression) and the payload read back agree.
          expect(dispatch.data).toEqual(JSON.parse(text));
          expect(dispatch.frame(json, true, seq).equals(want.subarray(headerOf(want)))).toBe(true);
          // Once made into a template, the same frame again.
          expect(dispatch.wsFrame(json, true, seq).equals(want)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('writes template frames one after another with no gap, as wsFrame makes them, in every encoding', () => {
    for (const name of ['json', 'etf', 'msgpack'] as const) {
      const encoding = getEncoding(name);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 200 }), seqs, seqs, (size, a, b) => {
          const dispatch = new PreparedDispatch('MESSAGE_CREATE', { content: 'y'.repeat(size) });
          const first = dispatch.wsFrame(encoding, true, a);
          const second = dispatch.wsFrame(encoding, true, b);
          const out = Buffer.alloc(first.length + second.length);
          const end = dispatch.writeWsFrame(encoding, true, a, out, 0);
          expect(end).toBe(first.length);
          expect(dispatch.writeWsFrame(encoding, true, b, out, end)).toBe(out.length);
          expect(out.equals(Buffer.concat([first, second]))).toBe(true);
          expect(dispatch.writeWsFrame(encoding, true, b, out, end + 1)).toBe(-1);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('encodes the text into other encodings from its parsed payload', () => {
    const dispatch = PreparedDispatch.jsonForOne('TEXT_A', ['{"v":', Buffer.from('10'), ',"user":{"id":"1"}}']);
    const etf = getEncoding('etf');
    expect(
      dispatch.wsFrame(etf, true, 3).equals(new PreparedDispatch('TEXT_A', dispatch.data).wsFrame(etf, true, 3)),
    ).toBe(true);
  });

  it('writes READY-sized texts before measuring them, and measures those whose header it cannot know', () => {
    const envelope = Buffer.from('{"op":0,"t":"READY","d":');
    for (const text of [
      JSON.stringify({ user: 'é'.repeat(40), id: '1' }),
      JSON.stringify('x'.repeat(95)),
      JSON.stringify('x'.repeat(96)),
      JSON.stringify('€'.repeat(30)),
      JSON.stringify('😀'.repeat(25)),
      JSON.stringify('y'.repeat(21_840)),
      JSON.stringify('y'.repeat(21_900)),
    ]) {
      const want = expected('READY', text, 42);
      for (const body of [text, piecesOf(text, [3, 70, 200])]) {
        for (const room of [want.length + 2, 3 * want.length + 40]) {
          const out = Buffer.alloc(room + 5, 0xee);
          expect(writeJsonWsFrameAt(out, 5, envelope, body, 42)).toBe(room >= want.length ? 5 + want.length : -1);
          if (room >= want.length) expect(out.subarray(5, 5 + want.length).equals(want)).toBe(true);
          expect(out[4]).toBe(0xee);
        }
      }
    }
  });

  it('refuses a frame that does not fit, before writing anything', () => {
    const out = Buffer.alloc(40, 1);
    expect(writeJsonWsFrameAt(out, 0, Buffer.from('{"op":0,"t":"X","d":'), '"0123456789"', 12)).toBe(-1);
    expect(out.every((b) => b === 1)).toBe(true);
  });
});

/** The length of a frame's header. */
function headerOf(frame: Buffer): number {
  const size = frame[1]! & 127;
  return size < 126 ? 2 : size === 126 ? 4 : 10;
}
