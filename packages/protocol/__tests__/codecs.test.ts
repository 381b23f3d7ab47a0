import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatchStream } from '../bench/lib/dispatches.js';
import { encodings, getEncoding, isGatewayPayload, ProtocolError } from '../src/index.js';
import { decodeJson, encodeJson, jsonEncoding } from '../src/json/index.js';
import { createMsgpackEncoding, msgpackEncoding } from '../src/msgpack/index.js';
import { assertPayloadSize, payloadByteLength, utf8ByteLength } from '../src/payloads/index.js';

// JSON-representable values: what gateway payloads are made of.
const jsonValue = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function expectProtocolError(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    if (code) expect((error as ProtocolError).code).toBe(code);
    return;
  }
}

describe('json', () => {
  it('round-trips payloads, from text and from UTF-8 bytes', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = encodeJson(value);
        expect(decodeJson(text)).toEqual(value);
        expect(decodeJson(new TextEncoder().encode(text))).toEqual(value);
      }),
    );
  });

  it('encodes bigints (snowflakes) as strings', () => {
    expect(encodeJson({ op: 0, d: { id: 175928847299117063n, n: [1n] } })).toBe(
      '{"op":0,"d":{"id":"175928847299117063","n":["1"]}}',
    );
  });

  it('throws ENCODE_ERROR for cycles and bare undefined', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeJson(cyclic)).toThrow(expect.objectContaining({ code: 'ENCODE_ERROR' }));
    expect(() => encodeJson(undefined)).toThrow(expect.objectContaining({ code: 'ENCODE_ERROR' }));
    const cyclicBig: Record<string, unknown> = { id: 1n };
    cyclicBig.self = cyclicBig;
    expect(() => encodeJson(cyclicBig)).toThrow(expect.objectContaining({ code: 'ENCODE_ERROR' }));
  });

  it('random and truncated input gives DECODE_ERROR, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 })), (data) => {
        try {
          decodeJson(data);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).code).toBe('DECODE_ERROR');
        }
      }),
    );
    fc.assert(
      fc.property(jsonValue, fc.nat(), (value, cut) => {
        const text = encodeJson(value);
        expectProtocolError(() => decodeJson(text.slice(0, cut % (text.length + 1))), 'DECODE_ERROR');
      }),
    );
    expect(() => decodeJson(Uint8Array.of(0x7b, 0xff, 0x7d))).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
  });

  it('survives very deep nesting without a stack overflow', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expectProtocolError(() => decodeJson(deep));
  });
});

describe('msgpack', () => {
  it('round-trips payloads', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        // A "__proto__" key is refused on decode (tested below), so it cannot round-trip.
        fc.pre(!JSON.stringify(value).includes('"__proto__"'));
        expect(msgpackEncoding.decode(msgpackEncoding.encode(value) as Uint8Array)).toEqual(value);
      }),
    );
  });

  it('refuses a "__proto__" map key instead of swapping the prototype', () => {
    const bytes = msgpackEncoding.encode(JSON.parse('{"__proto__":{"op":2},"d":1}')) as Uint8Array;
    expect(() => msgpackEncoding.decode(bytes)).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }));
  });

  it('round-trips a realistic dispatch stream', () => {
    for (const payload of dispatchStream({ count: 200 })) {
      expect(msgpackEncoding.decode(msgpackEncoding.encode(payload) as Uint8Array)).toEqual(payload);
    }
  });

  it('encodes bigints as strings and decodes 64-bit integers without losing precision', () => {
    const bytes = msgpackEncoding.encode({ id: 175928847299117063n, list: [2n ** 64n - 1n] }) as Uint8Array;
    expect(msgpackEncoding.decode(bytes)).toEqual({ id: '175928847299117063', list: ['18446744073709551615'] });
    // A foreign encoder that sends snowflakes as uint64 (0xcf): we must not round them to a double.
    const uint64 = Uint8Array.of(0x81, 0xa2, 0x69, 0x64, 0xcf, 0x02, 0x71, 0x0b, 0x3e, 0x1f, 0x00, 0x00, 0x07);
    expect(msgpackEncoding.decode(uint64)).toEqual({ id: ((0x02710b3en << 32n) | 0x1f000007n).toString() });
    // Small values in 64-bit format come back as plain numbers.
    expect(msgpackEncoding.decode(Uint8Array.of(0xcf, 0, 0, 0, 0, 0, 0, 0, 42))).toBe(42);
  });

  it('random and truncated input gives a ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectProtocolError(() => msgpackEncoding.decode(bytes));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(jsonValue, fc.nat(), (value, cut) => {
        const bytes = msgpackEncoding.encode(value) as Uint8Array;
        const truncated = bytes.subarray(0, cut % bytes.byteLength);
        expectProtocolError(() => msgpackEncoding.decode(truncated), 'DECODE_ERROR');
        if (truncated.byteLength < bytes.byteLength)
          expect(() => msgpackEncoding.decode(truncated)).toThrow(ProtocolError);
      }),
    );
    expectProtocolError(() => msgpackEncoding.decode('text'), 'DECODE_ERROR');
  });

  it('refuses lengths and depth beyond the limits without allocating them', () => {
    const small = createMsgpackEncoding({ maxArrayLength: 10, maxStrLength: 8, maxDepth: 4 });
    // array32 header announcing 4 billion elements
    expect(() => small.decode(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
    expect(() => small.decode(small.encode('0123456789') as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
    const deep = new Uint8Array(10_000).fill(0x91); // [[[[...]]]] 10 000 deep, innermost truncated
    expect(() => msgpackEncoding.decode(Uint8Array.of(...deep, 0xc0))).toThrow(
      expect.objectContaining({ code: 'DEPTH_EXCEEDED' }),
    );
    expect(() => small.decode(Uint8Array.of(0x91, 0x91, 0x91, 0x91, 0x91, 0xc0))).toThrow(
      expect.objectContaining({ code: 'DEPTH_EXCEEDED' }),
    );
    expect(small.decode(Uint8Array.of(0x91, 0x91, 0x91, 0x91, 0xc0))).toEqual([[[[null]]]]);
  });
});

describe('encodings registry', () => {
  it('has json, etf and msgpack, and getEncoding rejects the rest', () => {
    expect(Object.keys(encodings).sort()).toEqual(['etf', 'json', 'msgpack']);
    expect(getEncoding('json')).toBe(jsonEncoding);
    expect(getEncoding('msgpack').binary).toBe(true);
    expect(jsonEncoding.binary).toBe(false);
    expect(() => getEncoding('toString')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ENCODING' }));
  });

  it('every encoding round-trips a dispatch with a bigint snowflake', () => {
    for (const encoding of Object.values(encodings)) {
      const payload = { op: 0, s: 1, t: 'MESSAGE_CREATE', d: { id: 175928847299117063n, content: 'hé' } };
      const decoded = encoding.decode(encoding.encode(payload)) as { d: { id: unknown; content: string } };
      expect(String(decoded.d.id), encoding.name).toBe('175928847299117063');
      expect(decoded.d.content).toBe('hé');
    }
  });
});

describe('payload size', () => {
  it('utf8ByteLength agrees with TextEncoder, lone surrogates included', () => {
    // UTF-16 units from every range: ASCII, 2-byte, 3-byte, and surrogates (paired or lone).
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0x7ff }),
      fc.integer({ min: 0x800, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const text = String.fromCharCode(...units);
        expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).byteLength);
      }),
      { numRuns: 500 },
    );
  });

  it('assertPayloadSize enforces 4096 bytes by default', () => {
    expect(() => assertPayloadSize('a'.repeat(4096))).not.toThrow();
    expect(() => assertPayloadSize('a'.repeat(4097))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => assertPayloadSize('é'.repeat(2049))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => assertPayloadSize(new Uint8Array(10), 9)).toThrow(ProtocolError);
    expect(payloadByteLength('€')).toBe(3);
  });

  it('isGatewayPayload checks the envelope', () => {
    expect(isGatewayPayload({ op: 1, d: null })).toBe(true);
    expect(isGatewayPayload({ op: '1' })).toBe(false);
    expect(isGatewayPayload([1])).toBe(false);
    expect(isGatewayPayload(null)).toBe(false);
  });
});
