import { isUtf8 } from 'node:buffer';
import { isValidCloseCode } from './isValidCloseCode.js';

/** Close codes the reader ends a connection with (RFC 6455 §7.4.1). */
export const PROTOCOL_ERROR = 1002;
export const INVALID_PAYLOAD = 1007;
export const MESSAGE_TOO_BIG = 1009;
/** The code of a close frame that carried none (RFC 6455 §7.1.5): reported, never sent. */
export const NO_STATUS = 1005;

// `#state`: the stage in the low two bits; while a frame's payload is being filled, its opcode and FIN bit above them.
const HEADER = 0;
const BODY = 1;
/** A close frame was read or the input broke the protocol: whatever follows is ignored. */
const DONE = 2;
const STAGE = 3;
const FIN = 0x40;

/** The largest payload length a JavaScript number holds exactly: 2^53 − 1, as the high 32 bits of a 64-bit length. */
const MAX_HIGH_WORD = 0x1fffff;

/** A fragmented data message being put together (only while one is: held connections between messages keep none). */
interface Fragments {
  bytes: Buffer;
  length: number;
  readonly binary: boolean;
}

/**
 * The client-to-server half of RFC 6455 framing as a state machine fed the socket's chunks (`feed`), one reader per
 * connection: its subclass (the connection's socket object, GatewaySocket.ts) gets whole messages, pings, the peer's
 * close and protocol errors through the `on…` hooks.
 *
 * Bounded by its input: each byte is looked at a constant number of times (a split header is joined once; a payload
 * split over chunks is copied once into a buffer of its declared size), and nothing is allocated before the declared
 * length has been checked against `maxPayload`, so a hostile length (2^63, or just over the limit) costs nothing.
 * Between frames — how a held connection spends its life — the reader keeps no buffer: four fields of the socket
 * object, two of them null. A fragmented message grows one buffer by doubling, never past `maxPayload`.
 *
 * Private state in `#` fields and the work in static methods: a class with private instance methods carries a brand
 * field in every instance (a word per held connection).
 */
export abstract class FrameReader {
  #state = HEADER;
  /** HEADER: the start of a header split across chunks (< 14 bytes). BODY: the frame's mask (4 bytes), then its payload. */
  #buffer: Buffer | null = null;
  /** BODY: bytes of `#buffer` filled so far. */
  #filled = 0;
  #fragments: Fragments | null = null;

  /** A whole text or binary message, unmasked (text: valid UTF-8). Only valid for the call: the bytes may be reused. */
  protected abstract onMessage(data: Buffer, binary: boolean): void;
  /** A ping; its payload (≤ 125 bytes) is answered in a pong. */
  protected abstract onPing(data: Buffer): void;
  /** The peer's close frame: its valid code (NO_STATUS when it had none). Nothing after it is read. */
  protected abstract onCloseFrame(code: number): void;
  /** The input broke RFC 6455: close with `code` (1002, 1007 or 1009). Nothing after it is read. */
  protected abstract onProtocolError(code: number, message: string): void;

  /** A close frame was read or the protocol broken: the reader ignores any further input. */
  get readerDone(): boolean {
    return (this.#state & STAGE) === DONE;
  }

  /**
   * Reads one chunk. `maxPayload` bounds a message (a frame, or all fragments of a message; control frames have their
   * own 125). The chunk's payload bytes are unmasked in place (the socket handed them over and keeps none).
   */
  feed(chunk: Buffer, maxPayload: number): void {
    const state = this.#state;
    const stage = state & STAGE;
    if (stage === DONE) return;
    let data = chunk;
    let pos = 0;
    const pending = this.#buffer;
    if (pending !== null) {
      if (stage === BODY) {
        const filled = this.#filled;
        const take = Math.min(pending.length - filled, chunk.length);
        chunk.copy(pending, filled, 0, take);
        if (filled + take < pending.length) {
          this.#filled = filled + take;
          return;
        }
        this.#buffer = null;
        this.#filled = 0;
        this.#state = HEADER;
        pos = take;
        const payload = pending.subarray(4);
        unmask(payload, pending, 0);
        if (!FrameReader.#frame(this, (state >> 2) & 15, (state & FIN) !== 0, payload, maxPayload)) return;
      } else {
        // The rest of a header: joined with what came before (under 14 bytes) once.
        data = Buffer.concat([pending, chunk]);
        this.#buffer = null;
      }
    }
    while (pos < data.length) {
      const available = data.length - pos;
      const b0 = data[pos]!;
      // Refused from its first byte: a bad frame does not get to wait for the rest of its header.
      if ((b0 & 0x70) !== 0) {
        FrameReader.#fail(this, PROTOCOL_ERROR, 'RSV bits set without an extension');
        return;
      }
      const opcode = b0 & 15;
      const fin = (b0 & 0x80) !== 0;
      if (opcode >= 8) {
        if (opcode > 10) {
          FrameReader.#fail(this, PROTOCOL_ERROR, `unknown opcode ${opcode}`);
          return;
        }
        if (!fin) {
          FrameReader.#fail(this, PROTOCOL_ERROR, 'fragmented control frame');
          return;
        }
      } else if (opcode === 0) {
        if (this.#fragments === null) {
          FrameReader.#fail(this, PROTOCOL_ERROR, 'continuation without a message');
          return;
        }
      } else if (opcode <= 2) {
        if (this.#fragments !== null) {
          FrameReader.#fail(this, PROTOCOL_ERROR, 'new message inside a fragmented one');
          return;
        }
      } else {
        FrameReader.#fail(this, PROTOCOL_ERROR, `unknown opcode ${opcode}`);
        return;
      }
      if (available < 2) {
        FrameReader.#keepHeader(this, data, pos);
        return;
      }
      const b1 = data[pos + 1]!;
      if ((b1 & 0x80) === 0) {
        FrameReader.#fail(this, PROTOCOL_ERROR, 'client frame not masked');
        return;
      }
      let length = b1 & 127;
      if (opcode >= 8 && length > 125) {
        FrameReader.#fail(this, PROTOCOL_ERROR, 'control frame over 125 bytes');
        return;
      }
      const headerLength = length === 126 ? 8 : length === 127 ? 14 : 6;
      if (available < headerLength) {
        FrameReader.#keepHeader(this, data, pos);
        return;
      }
      if (length === 126) length = data.readUInt16BE(pos + 2);
      else if (length === 127) {
        const high = data.readUInt32BE(pos + 2);
        if (high > MAX_HIGH_WORD) {
          FrameReader.#fail(this, MESSAGE_TOO_BIG, 'payload length over 2^53 - 1');
          return;
        }
        length = high * 2 ** 32 + data.readUInt32BE(pos + 6);
      }
      // Checked before anything is allocated for it: a message is this frame plus the fragments before it.
      if (length + (opcode < 8 ? (this.#fragments?.length ?? 0) : 0) > maxPayload) {
        FrameReader.#fail(this, MESSAGE_TOO_BIG, 'message too big');
        return;
      }
      const maskAt = pos + headerLength - 4;
      const start = pos + headerLength;
      if (data.length - start < length) {
        // The payload continues in later chunks: one buffer of its declared (checked) size, the mask in front.
        const buffer = Buffer.allocUnsafe(4 + length);
        data.copy(buffer, 0, maskAt);
        this.#buffer = buffer;
        this.#filled = data.length - maskAt;
        this.#state = BODY | (opcode << 2) | (fin ? FIN : 0);
        return;
      }
      const payload = data.subarray(start, start + length);
      unmask(payload, data, maskAt);
      pos = start + length;
      if (!FrameReader.#frame(this, opcode, fin, payload, maxPayload)) return;
    }
  }

  /** Keeps the start of a header split across chunks (a copy: under 14 bytes). */
  static #keepHeader(r: FrameReader, data: Buffer, pos: number): void {
    r.#buffer = Buffer.from(data.subarray(pos));
  }

  static #fail(r: FrameReader, code: number, message: string): void {
    r.#state = DONE;
    r.#buffer = null;
    r.#fragments = null;
    r.onProtocolError(code, message);
  }

  /** One whole frame, unmasked. false = stop reading (a close frame, a protocol error, or the hook closed it). */
  static #frame(r: FrameReader, opcode: number, fin: boolean, payload: Buffer, maxPayload: number): boolean {
    if (opcode === 8) return FrameReader.#close(r, payload);
    if (opcode === 9) {
      r.onPing(payload);
      return (r.#state & STAGE) !== DONE;
    }
    if (opcode === 10) return true; // a pong: nothing asked for it, nothing to do
    let message = payload;
    let binary = opcode === 2;
    const fragments = r.#fragments;
    if (opcode !== 0 && !fin) {
      // A fragmented message starts: its buffer grows by doubling (amortized linear in its bytes), capped at the limit.
      const bytes = Buffer.allocUnsafe(Math.min(maxPayload, Math.max(payload.length * 2, 256)));
      payload.copy(bytes);
      r.#fragments = { bytes, length: payload.length, binary };
      return true;
    }
    if (fragments !== null) {
      const length = fragments.length + payload.length;
      if (length > fragments.bytes.length) {
        const bigger = Buffer.allocUnsafe(Math.min(maxPayload, Math.max(length, fragments.bytes.length * 2)));
        fragments.bytes.copy(bigger, 0, 0, fragments.length);
        fragments.bytes = bigger;
      }
      payload.copy(fragments.bytes, fragments.length);
      fragments.length = length;
      if (!fin) return true;
      r.#fragments = null;
      message = fragments.bytes.subarray(0, length);
      binary = fragments.binary;
    }
    if (!binary && !isUtf8(message)) {
      FrameReader.#fail(r, INVALID_PAYLOAD, 'text message not valid UTF-8');
      return false;
    }
    r.onMessage(message, binary);
    return (r.#state & STAGE) !== DONE;
  }

  /** The peer's close frame (RFC 6455 §5.5.1): no body, or a valid code and a UTF-8 reason. */
  static #close(r: FrameReader, payload: Buffer): false {
    let code = NO_STATUS;
    if (payload.length === 1) {
      FrameReader.#fail(r, PROTOCOL_ERROR, 'close frame of 1 byte');
      return false;
    }
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) {
        FrameReader.#fail(r, PROTOCOL_ERROR, `invalid close code ${code}`);
        return false;
      }
      if (!isUtf8(payload.subarray(2))) {
        FrameReader.#fail(r, INVALID_PAYLOAD, 'close reason not valid UTF-8');
        return false;
      }
    }
    r.#state = DONE;
    r.#fragments = null;
    r.onCloseFrame(code);
    return false;
  }
}

/** XORs `payload` in place with the 4-byte mask at `mask[at…]` (RFC 6455 §5.3). */
function unmask(payload: Buffer, mask: Buffer, at: number): void {
  const m0 = mask[at]!;
  const m1 = mask[at + 1]!;
  const m2 = mask[at + 2]!;
  const m3 = mask[at + 3]!;
  const length = payload.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    payload[i] = payload[i]! ^ m0;
    payload[i + 1] = payload[i + 1]! ^ m1;
    payload[i + 2] = payload[i + 2]! ^ m2;
    payload[i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < length; i++) payload[i] = payload[i]! ^ mask[at + (i & 3)]!;
}
