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

/** What a JSON dispatch's text ends with before its `s` (the value and `}` are {@link writeSeqTail}'s). */
export const JSON_SEQ_KEY = Buffer.from(',"s":');

/** How many bytes {@link writeSeqTail} writes for `seq` (so a frame's length is known before it is written). */
export function seqTailLength(kind: FrameTemplate['kind'], seq: number): number {
  switch (kind) {
    case 'json':
      return String(seq).length + 1;
    case 'etf': {
      if (seq < 256) return 2;
      if (seq <= 0x7fffffff) return 5;
      let n = 0;
      for (let v = seq; v > 0; v = Math.floor(v / 256)) n++;
      return 3 + n;
    }
    default:
      return seq < 128 ? 1 : seq < 256 ? 2 : seq < 65536 ? 3 : seq <= 0xffffffff ? 5 : 9;
  }
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

/** The length of {@link writeFrameHeader}'s header for a payload of `payloadLength` bytes. */
export function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
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
 * {@link wsFrameWithSeq} written at `out[at]` exactly (header first, no room left in front), so frames written one
 * after another are one run of bytes for one socket write. Answers where the frame ends, or -1 (nothing written) when
 * `out` has no room for it.
 */
export function writeWsFrameAt(out: Buffer, at: number, template: FrameTemplate, seq: number, binary: boolean): number {
  const { head } = template;
  const payload = head.length + seqTailLength(template.kind, seq);
  const start = at + frameHeaderLength(payload);
  if (start + payload > out.length) return -1;
  writeWsHeader(out, start, payload, binary);
  head.copy(out, start);
  return writeSeqTail(template.kind, seq, out, start + head.length);
}

/** A dispatch's `d` as JSON: one text, or pieces in order (text, or bytes already UTF-8). */
export type JsonText = string | readonly (string | Uint8Array)[];

/** The UTF-8 length of {@link JsonText}. */
export function jsonTextLength(json: JsonText): number {
  if (typeof json === 'string') return Buffer.byteLength(json, 'utf8');
  let n = 0;
  for (let i = 0; i < json.length; i++) {
    const piece = json[i]!;
    n += typeof piece === 'string' ? Buffer.byteLength(piece, 'utf8') : piece.length;
  }
  return n;
}

/** Writes {@link JsonText} at `out[at]` (room checked by the caller) and answers where it ends. */
export function writeJsonText(out: Buffer, at: number, json: JsonText): number {
  if (typeof json === 'string') return at + out.write(json, at, 'utf8');
  let end = at;
  for (let i = 0; i < json.length; i++) {
    const piece = json[i]!;
    if (typeof piece === 'string') end += out.write(piece, end, 'utf8');
    else {
      out.set(piece, end);
      end += piece.length;
    }
  }
  return end;
}

/**
 * The text WebSocket frame of a JSON dispatch whose `d` is text (`envelope` = `{"op":0,"t":<event>,"d":` as bytes),
 * written at `out[at]` in one pass: header, envelope, `d` encoded straight into place, `,"s":<seq>}`. No Buffer of the
 * text first and frame copy after. Answers where the frame ends, or -1 (nothing written) when `out` has no room.
 * `length`: {@link jsonTextLength} of `json`, when known (without it, the text is written before it is measured when
 * `out` has room for its longest encoding: {@link writeJsonWsFrameUnmeasured}).
 */
export function writeJsonWsFrameAt(
  out: Buffer,
  at: number,
  envelope: Uint8Array,
  json: JsonText,
  seq: number,
  length?: number,
): number {
  if (length === undefined) {
    const end = writeJsonWsFrameUnmeasured(out, at, envelope, json, seq);
    if (end !== UNMEASURED) return end;
    length = jsonTextLength(json);
  }
  const payload = envelope.length + length + JSON_SEQ_KEY.length + seqTailLength('json', seq);
  const start = at + frameHeaderLength(payload);
  if (start + payload > out.length) return -1;
  writeWsHeader(out, start, payload, false);
  out.set(envelope, start);
  const end = writeJsonText(out, start + envelope.length, json);
  out.set(JSON_SEQ_KEY, end);
  return writeSeqTail('json', seq, out, end + JSON_SEQ_KEY.length);
}

/** {@link writeJsonWsFrameUnmeasured} could not write the frame that way: measure the text first. */
const UNMEASURED = -2;

/**
 * {@link writeJsonWsFrameAt} without measuring the text first, when the payload's length is known to take a 4-byte
 * header (126–65,535 bytes: READY, a GUILD_CREATE) whatever the text encodes to: the payload is written after room
 * for the header, and the header put in front once the length is known. Measuring was a `Buffer.byteLength` call per
 * text piece (~6 per Identify) on top of the write. Written only when `out` has room for the longest the text can
 * encode to (3 bytes per UTF-16 unit); else nothing is written and the answer is {@link UNMEASURED}.
 */
function writeJsonWsFrameUnmeasured(
  out: Buffer,
  at: number,
  envelope: Uint8Array,
  json: JsonText,
  seq: number,
): number {
  // Each UTF-16 unit encodes to 1–3 bytes (a surrogate pair: 4 bytes for 2 units).
  let least = 0;
  let most = 0;
  if (typeof json === 'string') {
    least = json.length;
    most = 3 * json.length;
  } else {
    for (let i = 0; i < json.length; i++) {
      const piece = json[i]!;
      if (typeof piece === 'string') {
        least += piece.length;
        most += 3 * piece.length;
      } else {
        least += piece.length;
        most += piece.length;
      }
    }
  }
  const around = envelope.length + JSON_SEQ_KEY.length + seqTailLength('json', seq);
  const start = at + 4;
  if (around + least < 126 || around + most >= 65536 || start + around + most > out.length) return UNMEASURED;
  out.set(envelope, start);
  const end = writeJsonText(out, start + envelope.length, json);
  out.set(JSON_SEQ_KEY, end);
  const frameEnd = writeSeqTail('json', seq, out, end + JSON_SEQ_KEY.length);
  writeWsHeader(out, start, frameEnd - start, false);
  return frameEnd;
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
