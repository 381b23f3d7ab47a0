import type { Encoding } from './protocol.js';

/**
 * A dispatch encoded once for one encoding: every byte of the frame except the sequence number, which differs per
 * session and is appended by {@link frameWithSeq}. Keys are ordered `op, t, d, s` so `s` comes last in all three
 * encodings (JSON object keys and ETF/MessagePack map entries are unordered for every client).
 */
export interface FrameTemplate {
  readonly kind: 'json' | 'etf' | 'msgpack';
  readonly head: Buffer;
}

function toBuffer(bytes: string | Uint8Array): Buffer {
  return typeof bytes === 'string'
    ? Buffer.from(bytes, 'utf8')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * ETF: the envelope keys as SMALL_ATOM_EXT (115), the atom tag every ETF decoder reads. erlpack (Discord's codec, which
 * Eris uses when installed) reads only ATOM_EXT and SMALL_ATOM_EXT and rejects the UTF-8 atom tags (118, 119) with
 * "Unsupported erlang term type identifier" (issue #13). The keys are ASCII, so Latin-1 and UTF-8 agree on their bytes.
 */
function etfAtom(name: string): number[] {
  return [SMALL_ATOM_EXT, name.length, ...Buffer.from(name, 'latin1')];
}
const SMALL_ATOM_EXT = 115;

const ETF_HEAD = Buffer.from([131, 116, 0, 0, 0, 4, ...etfAtom('op'), 97, 0, ...etfAtom('t')]);
const ETF_D = Buffer.from(etfAtom('d'));
const ETF_S = Buffer.from(etfAtom('s'));
// MessagePack: fixmap(4), "op": 0, "t": …, "d": …, "s": …
const MSGPACK_HEAD = Buffer.from([0x84, 0xa2, 0x6f, 0x70, 0x00, 0xa1, 0x74]);
const MSGPACK_D = Buffer.from([0xa1, 0x64]);
const MSGPACK_S = Buffer.from([0xa1, 0x73]);

/** Encodes `{op:0, t, d}` once; `s` is spliced in per session. */
export function buildTemplate(encoding: Encoding, event: string, data: unknown): FrameTemplate {
  switch (encoding.name) {
    case 'json': {
      const d = encoding.encode(data) as string;
      return { kind: 'json', head: Buffer.from(`{"op":0,"t":${JSON.stringify(event)},"d":${d},"s":`, 'utf8') };
    }
    case 'etf': {
      // encode() output starts with the version byte 131, which only the outer term carries.
      const t = toBuffer(encoding.encode(event)).subarray(1);
      const d = toBuffer(encoding.encode(data)).subarray(1);
      return { kind: 'etf', head: Buffer.concat([ETF_HEAD, t, ETF_D, d, ETF_S]) };
    }
    case 'msgpack': {
      const t = toBuffer(encoding.encode(event));
      const d = toBuffer(encoding.encode(data));
      return { kind: 'msgpack', head: Buffer.concat([MSGPACK_HEAD, t, MSGPACK_D, d, MSGPACK_S]) };
    }
    default:
      throw new TypeError(`unknown encoding ${String(encoding.name)}`);
  }
}

/** The complete frame: template head + this session's sequence number. */
export function frameWithSeq(template: FrameTemplate, seq: number): Buffer {
  const { head } = template;
  // Longest tail: 16 digits + "}" (JSON), 1 + 1 + 1 + 7 bytes (ETF big), 9 bytes (msgpack uint64).
  const out = Buffer.allocUnsafe(head.length + 24);
  head.copy(out, 0);
  const end = writeSeqTail(template.kind, seq, out, head.length);
  return out.subarray(0, end);
}

/** Only what follows the head: the encoded `s` (and JSON's closing brace). */
export function seqTail(kind: FrameTemplate['kind'], seq: number): Buffer {
  const out = Buffer.allocUnsafe(24);
  return out.subarray(0, writeSeqTail(kind, seq, out, 0));
}

function writeSeqTail(kind: FrameTemplate['kind'], seq: number, out: Buffer, start: number): number {
  let at = start;
  switch (kind) {
    case 'json': {
      at += out.write(String(seq), at, 'latin1');
      out[at++] = 0x7d;
      break;
    }
    case 'etf': {
      if (seq < 256) {
        out[at++] = 97;
        out[at++] = seq;
      } else if (seq <= 0x7fffffff) {
        out[at++] = 98;
        out.writeInt32BE(seq, at);
        at += 4;
      } else {
        // SMALL_BIG_EXT: little-endian magnitude.
        out[at++] = 110;
        const lenAt = at++;
        out[at++] = 0;
        let n = 0;
        let v = seq;
        while (v > 0) {
          out[at++] = v % 256;
          v = Math.floor(v / 256);
          n++;
        }
        out[lenAt] = n;
      }
      break;
    }
    case 'msgpack': {
      if (seq < 128) out[at++] = seq;
      else if (seq < 256) {
        out[at++] = 0xcc;
        out[at++] = seq;
      } else if (seq < 65536) {
        out[at++] = 0xcd;
        out.writeUInt16BE(seq, at);
        at += 2;
      } else if (seq <= 0xffffffff) {
        out[at++] = 0xce;
        out.writeUInt32BE(seq, at);
        at += 4;
      } else {
        out[at++] = 0xcf;
        out.writeBigUInt64BE(BigInt(seq), at);
        at += 8;
      }
      break;
    }
  }
  return at;
}

/** Encodes a whole non-dispatch payload (`s` and `t` null). */
export function encodeControl(encoding: Encoding, op: number, d: unknown): Buffer {
  return toBuffer(encoding.encode({ op, d, s: null, t: null }));
}

/** Room kept in front of a payload for the longest header of an unmasked (server → client) WebSocket frame. */
export const WS_HEADER_ROOM = 10;

/**
 * Writes the header of a single final unmasked WebSocket frame (RFC 6455 §5.2) whose first byte is `first` (FIN and
 * the opcode) just before `payloadStart`, and returns where it starts. Server frames carry no mask, so the bytes are
 * the same for every recipient.
 */
export function writeFrameHeader(out: Buffer, payloadStart: number, payloadLength: number, first: number): number {
  if (payloadLength < 126) {
    out[payloadStart - 2] = first;
    out[payloadStart - 1] = payloadLength;
    return payloadStart - 2;
  }
  if (payloadLength < 65536) {
    const at = payloadStart - 4;
    out[at] = first;
    out[at + 1] = 126;
    out.writeUInt16BE(payloadLength, at + 2);
    return at;
  }
  const at = payloadStart - 10;
  out[at] = first;
  out[at + 1] = 127;
  out.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), at + 2);
  out.writeUInt32BE(payloadLength >>> 0, at + 6);
  return at;
}

/** {@link writeFrameHeader} for a data frame: binary or text. */
export function writeWsHeader(out: Buffer, payloadStart: number, payloadLength: number, binary: boolean): number {
  return writeFrameHeader(out, payloadStart, payloadLength, binary ? 0x82 : 0x81);
}

/**
 * The complete WebSocket frame of one session's dispatch, in one allocation: header, template head, `s`. With
 * `scratch` (large enough), written into it instead: the frame is then a view of `scratch`, valid until it is next
 * used (see transport/Connection.ts).
 */
export function wsFrameWithSeq(template: FrameTemplate, seq: number, binary: boolean, scratch?: Buffer): Buffer {
  const { head } = template;
  const size = WS_HEADER_ROOM + head.length + 24;
  const out = scratch !== undefined && scratch.length >= size ? scratch : Buffer.allocUnsafe(size);
  head.copy(out, WS_HEADER_ROOM);
  const end = writeSeqTail(template.kind, seq, out, WS_HEADER_ROOM + head.length);
  return out.subarray(writeWsHeader(out, WS_HEADER_ROOM, end - WS_HEADER_ROOM, binary), end);
}

/**
 * The complete binary WebSocket frame of one session's dispatch on a shared-mode zlib stream (see sharedZlib.ts):
 * [zlib header, first message only] + the head deflated once for everyone + `s` as one stored block + the empty
 * stored block (sync-flush marker).
 */
export function zlibWsFrameWithSeq(
  kind: FrameTemplate['kind'],
  zlibHeader: Uint8Array | null,
  deflated: Buffer,
  seq: number,
): Buffer {
  const prefix = zlibHeader?.length ?? 0;
  // Tail: 5-byte stored-block header + up to 24 bytes of `s` + 5-byte empty stored block.
  const out = Buffer.allocUnsafe(WS_HEADER_ROOM + prefix + deflated.length + 34);
  let at = WS_HEADER_ROOM;
  if (zlibHeader) {
    out.set(zlibHeader, at);
    at += prefix;
  }
  deflated.copy(out, at);
  at += deflated.length;
  const block = at;
  const tailEnd = writeSeqTail(kind, seq, out, block + 5);
  const tailLength = tailEnd - block - 5;
  out[block] = 0x00;
  out.writeUInt16LE(tailLength, block + 1);
  out.writeUInt16LE(~tailLength & 0xffff, block + 3);
  at = tailEnd;
  out[at++] = 0x00;
  out[at++] = 0x00;
  out[at++] = 0x00;
  out[at++] = 0xff;
  out[at++] = 0xff;
  return out.subarray(writeWsHeader(out, WS_HEADER_ROOM, at - WS_HEADER_ROOM, true), at);
}
