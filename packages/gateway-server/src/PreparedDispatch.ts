import { outgoingCheck } from './contract/outgoingCheck.js';
import { DispatchEncodeError } from './DispatchEncodeError.js';
import { carriesMessageContent, stripMessageContent } from './eventIntents.js';
import {
  buildTemplate,
  type FrameTemplate,
  frameHeaderLength,
  frameWithSeq,
  JSON_SEQ_KEY,
  type JsonText,
  jsonTextLength,
  seqTail,
  writeJsonText,
  writeJsonWsFrameAt,
  writeWsFrameAt,
  wsFrameWithSeq,
  zlibWsFrameWithSeq,
} from './wire/frames.js';
import { decodeJson, type Encoding } from './wire/protocol.js';
import { deflateIndependent, storedBlocks } from './wire/sharedZlib.js';
import { unpooled } from './wire/unpooled.js';

const SLOTS: Record<string, number> = { json: 0, etf: 1, msgpack: 2 };
const UNPARSED: unique symbol = Symbol('unparsed');

/** `buildTemplate`'s JSON head around a `d` that is already JSON text: `{"op":0,"t":<event>,"d":<body>,"s":`. */
function jsonTemplateAround(event: string, body: Uint8Array): FrameTemplate {
  const envelope = `{"op":0,"t":${JSON.stringify(event)},"d":`;
  const start = Buffer.byteLength(envelope);
  // Its own memory, not a slice of Node's pool: a spliced dispatch is kept by replay buffers (see unpooled.ts).
  const head = Buffer.allocUnsafeSlow(start + body.length + JSON_SEQ_KEY.length);
  head.write(envelope, 0, 'utf8');
  head.set(body, start);
  JSON_SEQ_KEY.copy(head, start + body.length);
  return { kind: 'json', head };
}

/** `{"op":0,"t":<event>,"d":` as bytes, per event (a handful: the events sent to one session as text). */
const envelopes = new Map<string, Buffer>();
function envelopeOf(event: string): Buffer {
  let envelope = envelopes.get(event);
  if (envelope === undefined) {
    envelope = Buffer.from(`{"op":0,"t":${JSON.stringify(event)},"d":`, 'utf8');
    if (envelopes.size < 64) envelopes.set(event, envelope);
  }
  return envelope;
}

/** {@link JsonText} as one Buffer. */
function joinJsonText(json: JsonText): Buffer {
  const out = Buffer.allocUnsafe(jsonTextLength(json));
  writeJsonText(out, 0, json);
  return out;
}

/**
 * One dispatch on its way to many sessions. Each (encoding, content variant) pair is encoded at most once, on first
 * use, and shared by every recipient and by their replay buffers; a session only adds its sequence number.
 */
export class PreparedDispatch {
  readonly event: string;
  readonly createdAt: number;
  #data: unknown;
  /** Spliced dispatches: where `d` sits in the JSON template head, parsed into `data` on first read. */
  #body: Buffer | null = null;
  /** A one-session dispatch's `d` as JSON text ({@link PreparedDispatch.jsonForOne}), until a template is made of it. */
  #json: JsonText | null = null;
  // [json, etf, msgpack] × [full, stripped]; an error = that encoding cannot carry the payload (kept, not retried).
  readonly #templates: (FrameTemplate | DispatchEncodeError | undefined)[] = [];
  // Same slots: the template head deflated once (shared zlib-stream).
  readonly #deflated: (Buffer | undefined)[] = [];
  #stripped: unknown;
  /** Keep encodings for later recipients; off for a dispatch to one session (see {@link PreparedDispatch.forOne}). */
  readonly #shared: boolean;

  constructor(event: string, data: unknown, createdAt = Date.now(), shared = true) {
    this.event = event;
    this.#data = data;
    this.createdAt = createdAt;
    this.#shared = shared;
    // Test runs hold every dispatch to Discord's documented shape (src/contract); nothing is installed in production.
    if (data !== UNPARSED) outgoingCheck()?.dispatch(event, data);
  }

  /**
   * A dispatch whose `d` arrived already encoded as JSON (a v2 bus message, checked by the broker codec): the JSON
   * frame splices those bytes after its envelope instead of encoding `data`, which is parsed only if something reads
   * it (another encoding, the stripped variant, an inline journal entry).
   */
  static spliced(event: string, jsonBody: Uint8Array, createdAt: number): PreparedDispatch {
    const dispatch = new PreparedDispatch(event, UNPARSED, createdAt);
    const template = jsonTemplateAround(event, jsonBody);
    dispatch.#templates[0] = template;
    dispatch.#body = template.head.subarray(
      template.head.length - JSON_SEQ_KEY.length - jsonBody.length,
      -JSON_SEQ_KEY.length,
    );
    const check = outgoingCheck();
    if (check) check.dispatch(event, dispatch.data);
    return dispatch;
  }

  /**
   * A dispatch for a single session whose `d` is already JSON text (READY, serializeReadyJson.ts; a GUILD_CREATE made
   * from its snapshot's JSON, serializeGuildCreateJson.ts): the text is written straight into the WebSocket frame
   * ({@link PreparedDispatch.writeWsFrame}), with no Buffer of it made first; `data` is parsed only if read.
   */
  static jsonForOne(event: string, json: JsonText): PreparedDispatch {
    const dispatch = new PreparedDispatch(event, UNPARSED, Date.now(), false);
    dispatch.#json = json;
    const check = outgoingCheck();
    if (check) check.dispatch(event, dispatch.data);
    return dispatch;
  }

  /** {@link PreparedDispatch.jsonForOne}'s text as the JSON template, for the paths that take a template. */
  static #fromText(dispatch: PreparedDispatch, json: JsonText): FrameTemplate {
    const envelope = envelopeOf(dispatch.event);
    const length = jsonTextLength(json);
    const head = Buffer.allocUnsafe(envelope.length + length + JSON_SEQ_KEY.length);
    head.set(envelope, 0);
    const end = writeJsonText(head, envelope.length, json);
    JSON_SEQ_KEY.copy(head, end);
    const template: FrameTemplate = { kind: 'json', head };
    dispatch.#templates[0] = template;
    dispatch.#body = head.subarray(envelope.length, end);
    dispatch.#json = null;
    return template;
  }

  /** The payload (`d`): for a spliced dispatch, parsed from its JSON bytes on first read. */
  get data(): unknown {
    if (this.#data === UNPARSED) {
      const json = this.#json;
      // The text kept as it is: a test run's check reads every dispatch, and must not change how it is written.
      if (json !== null) this.#data = decodeJson(typeof json === 'string' ? json : joinJsonText(json));
      else this.#data = decodeJson(this.#body!);
    }
    return this.#data;
  }

  /**
   * A dispatch for a single session (READY, its GUILD_CREATEs, member chunks…): encoded when written and not kept.
   * It still sits in the session's replay buffer, where a kept encoding would pin pooled Buffer memory (≈ 2 KB per
   * idle session); a Resume that needs it again re-encodes it from `data`.
   */
  static forOne(event: string, data: unknown): PreparedDispatch {
    return new PreparedDispatch(event, data, Date.now(), false);
  }

  /** The payload a session sees: `full` false = message content removed. */
  dataFor(full: boolean): unknown {
    if (full || !carriesMessageContent(this.event)) return this.data;
    if (this.#stripped === undefined) this.#stripped = stripMessageContent(this.data);
    return this.#stripped;
  }

  /**
   * The encoded template, built on first use. Throws {@link DispatchEncodeError} when the encoding cannot carry the
   * payload; the failure is remembered (even for a one-session dispatch: it pins no memory) so every later recipient,
   * or a Resume replaying it, fails at the cost of a lookup.
   */
  #template(encoding: Encoding, full: boolean): [FrameTemplate, number] {
    const slot = (SLOTS[encoding.name] ?? 0) * 2 + (full || !carriesMessageContent(this.event) ? 0 : 1);
    let template = this.#templates[slot];
    if (template === undefined && slot === 0 && this.#json !== null)
      template = PreparedDispatch.#fromText(this, this.#json);
    if (template === undefined) {
      try {
        template = buildTemplate(encoding, this.event, this.dataFor(full));
      } catch (cause) {
        const error = new DispatchEncodeError(this.event, encoding.name, cause);
        this.#templates[slot] = error;
        throw error;
      }
      // Kept for every session and replay buffer that holds this dispatch: in memory of its own (unpooled.ts).
      if (this.#shared) {
        template = { kind: template.kind, head: unpooled(template.head) };
        this.#templates[slot] = template;
      }
    }
    if (template instanceof DispatchEncodeError) throw template;
    return [template, slot];
  }

  /** The uncompressed frame for one session. */
  frame(encoding: Encoding, full: boolean, seq: number): Buffer {
    return frameWithSeq(this.#template(encoding, full)[0], seq);
  }

  /**
   * The uncompressed frame for one session, as a complete WebSocket frame (header included); written into `scratch`
   * when given and large enough (the frame is then a view of it).
   */
  wsFrame(encoding: Encoding, full: boolean, seq: number, scratch?: Buffer): Buffer {
    const json = this.#json;
    if (json !== null && encoding.name === 'json' && (full || !carriesMessageContent(this.event))) {
      // The text written into the frame itself, sized exactly: one allocation (none with room in `scratch`).
      const envelope = envelopeOf(this.event);
      const length = jsonTextLength(json);
      const size = envelope.length + length + JSON_SEQ_KEY.length + 17;
      const room = frameHeaderLength(size) + size;
      const out = scratch !== undefined && scratch.length >= room ? scratch : Buffer.allocUnsafe(room);
      return out.subarray(0, writeJsonWsFrameAt(out, 0, envelope, json, seq, length));
    }
    return wsFrameWithSeq(this.#template(encoding, full)[0], seq, encoding.binary, scratch);
  }

  /**
   * Writes the complete WebSocket frame for one session at `out[at]`, its header first (frames written one after
   * another make one run of bytes: a burst's single socket write, transport/Connection.ts), and answers where it
   * ends; -1 when `out` has no room for it (nothing written). Throws as {@link PreparedDispatch.wsFrame} does.
   */
  writeWsFrame(encoding: Encoding, full: boolean, seq: number, out: Buffer, at: number): number {
    const json = this.#json;
    if (json !== null && encoding.name === 'json' && (full || !carriesMessageContent(this.event)))
      return writeJsonWsFrameAt(out, at, envelopeOf(this.event), json, seq);
    return writeWsFrameAt(out, at, this.#template(encoding, full)[0], seq, encoding.binary);
  }

  #deflatedHead(encoding: Encoding, full: boolean, level: number): [FrameTemplate, Buffer] {
    const [template, slot] = this.#template(encoding, full);
    let deflated = this.#deflated[slot];
    if (deflated === undefined) {
      deflated = deflateIndependent(template.head, level);
      if (this.#shared) {
        deflated = unpooled(deflated);
        this.#deflated[slot] = deflated;
      }
    }
    return [template, deflated];
  }

  /** {@link zlibFrame} as a complete WebSocket frame, after `zlibHeader` when the stream starts with this message. */
  zlibWsFrame(encoding: Encoding, full: boolean, seq: number, level: number, zlibHeader: Uint8Array | null): Buffer {
    const [template, deflated] = this.#deflatedHead(encoding, full, level);
    return zlibWsFrameWithSeq(template.kind, zlibHeader, deflated, seq);
  }

  /**
   * The frame as the next message of a shared-mode zlib stream (see `sharedZlib.ts`): the head deflated once for
   * everyone, then this session's `s` as a stored block and the sync-flush marker.
   */
  zlibFrame(encoding: Encoding, full: boolean, seq: number, level: number): Buffer {
    const [template, deflated] = this.#deflatedHead(encoding, full, level);
    const tail = storedBlocks(seqTail(template.kind, seq));
    const out = Buffer.allocUnsafe(deflated.length + tail.length);
    deflated.copy(out, 0);
    tail.copy(out, deflated.length);
    return out;
  }
}
