import { HostError } from './HostError.js';

/**
 * Frames of a link between two processes of one host (unix socket): `[u32 length][u8 kind][u16 topic length][topic]
 * [body]`, `length` counting everything after itself. Length-prefixed binary so a reader never scans the body, and
 * the body of a message is the bus encoding of a broker message carried as opaque bytes.
 */
export const FrameKind = {
  /** First frame on a link: the sender's peer id in the topic field. */
  hello: 1,
  /** The sender's process now has a listener for this topic. */
  subscribe: 2,
  /** …and no longer has one. */
  unsubscribe: 3,
  /** A broker message published to the topic; body = its bus encoding. */
  message: 4,
} as const;

export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

const HEAD = 7;
/** Topics are `guild:<id>`, `user:<id>`, `session:<id>` (and peer ids): short. */
const MAX_TOPIC_BYTES = 1024;

/** Encodes one frame. `body` is written as given (a string as UTF-8). */
export function encodeFrame(kind: FrameKindValue, topic: string, body?: string | Uint8Array): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  if (topicBytes > MAX_TOPIC_BYTES) throw new HostError('BAD_FRAME', `topic longer than ${MAX_TOPIC_BYTES} bytes`);
  const bodyBytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const frame = Buffer.allocUnsafe(HEAD + topicBytes + bodyBytes);
  frame.writeUInt32BE(frame.length - 4, 0);
  frame[4] = kind;
  frame.writeUInt16BE(topicBytes, 5);
  frame.write(topic, HEAD, 'utf8');
  if (typeof body === 'string') frame.write(body, HEAD + topicBytes, 'utf8');
  else if (body !== undefined) frame.set(body, HEAD + topicBytes);
  return frame;
}

/** The body of a frame made by {@link encodeFrame} (a view into it). */
export function frameBody(frame: Buffer): Buffer {
  return frame.subarray(HEAD + frame.readUInt16BE(5));
}

/** One decoded frame; `body` is a view into the reader's buffer, valid until the next `push`. */
export interface HostFrame {
  kind: FrameKindValue;
  topic: string;
  body: Buffer;
}

/**
 * Splits a byte stream into frames. Bounded: a frame longer than `maxFrameBytes`, an unknown kind or a topic longer
 * than the frame throws `HostError('BAD_FRAME')` before anything is buffered for it, and every byte is looked at a
 * bounded number of times (a partial frame is kept, not rescanned).
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  /** Chunks of a frame not complete yet, and how many bytes that frame needs in all (4 while its length is unread). */
  #chunks: Buffer[] = [];
  #held = 0;
  #need = 4;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for a frame not complete yet. */
  get buffered(): number {
    return this.#held;
  }

  /** Adds a chunk and calls `onFrame` for every complete frame in order. */
  push(chunk: Buffer, onFrame: (frame: HostFrame) => void): void {
    // A large frame arriving in many chunks is joined once, when complete (no copy per chunk).
    if (this.#held + chunk.length < this.#need) {
      this.#chunks.push(chunk);
      this.#held += chunk.length;
      return;
    }
    const buf = this.#held === 0 ? chunk : Buffer.concat([...this.#chunks, chunk]);
    this.#chunks = [];
    this.#held = 0;
    this.#need = 4;
    let at = 0;
    while (buf.length - at >= 4) {
      const length = buf.readUInt32BE(at);
      if (length < HEAD - 4 || length > this.#maxFrameBytes) {
        throw new HostError('BAD_FRAME', `frame length ${length} outside 3..${this.#maxFrameBytes}`);
      }
      const kind = buf[at + 4];
      if (kind !== undefined && (kind < FrameKind.hello || kind > FrameKind.message)) {
        throw new HostError('BAD_FRAME', `unknown frame kind ${kind}`);
      }
      if (buf.length - at < 4 + length) {
        this.#need = 4 + length;
        break;
      }
      const topicBytes = buf.readUInt16BE(at + 5);
      if (topicBytes > length - 3) throw new HostError('BAD_FRAME', 'topic longer than its frame');
      const topicStart = at + HEAD;
      const bodyStart = topicStart + topicBytes;
      const end = at + 4 + length;
      onFrame({
        kind: kind as FrameKindValue,
        topic: buf.toString('utf8', topicStart, bodyStart),
        body: buf.subarray(bodyStart, end),
      });
      at = end;
    }
    if (at < buf.length) {
      // Keep only the partial frame, copied so the (possibly large) chunk it came in can be collected.
      const rest = Buffer.from(buf.subarray(at));
      this.#chunks.push(rest);
      this.#held = rest.length;
    }
  }
}
