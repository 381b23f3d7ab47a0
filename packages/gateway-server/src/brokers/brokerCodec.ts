import { isUtf8 } from 'node:buffer';
import type { BrokerMessage, DispatchTarget } from '../Broker.js';
import { GatewayServerError } from '../GatewayServerError.js';
import { decodeJson, getEncoding } from '../wire/protocol.js';
import { isJsonText } from './isJsonText.js';

/**
 * Two wire versions, told apart by the first element of the JSON array every message starts with.
 *
 * v1 `[1, event, intent, target, createdAt, data]`: one JSON text; every receiving node parses the payload and
 * re-encodes it for its sessions.
 *
 * v2 `[2, event, intent, target, createdAt]\n<d>`: the routing header as a JSON line, then `d` already encoded as the
 * JSON frames carry it (`encodeJson`: bigints as strings). A receiving node parses the header only, checks the body
 * (grammar, depth, UTF-8: no objects built) and splices its bytes into the JSON frames of its sessions; `data` is
 * parsed on first read, only when something needs the object (an ETF/msgpack session, one without MESSAGE_CONTENT, a
 * journal entry stored inline). JSON never puts a raw newline in its output, so the first `\n` ends the header.
 *
 * Rolling upgrade: every node decodes both; nodes publish v2 unless told `format: 1` (brokers' option), which a
 * cluster keeps until no node older than v2 is left.
 */
export type BrokerWireFormat = 1 | 2;

/** Longest header line accepted (a `users` target lists its ids there). */
const MAX_HEADER_BYTES = 64 * 1024;
/** Largest message accepted: far above a dispatch (Discord caps a message at 4,000 characters plus embeds). */
const MAX_BROKER_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Nesting allowed in a body: what `encodeJson`/`decodeJson` allow, so a spliced body is one the client can parse. */
const MAX_DEPTH = 64;
const NEWLINE = 0x0a;
const json = getEncoding('json');

/**
 * The JSON body of each message decoded from v2, as UTF-8 bytes exactly as the JSON frame carries `d` (an own copy,
 * never a view into a driver's buffer). Kept beside the message rather than on it, so a decoded message is still plain
 * data to whoever compares, copies or logs it (a copy made with a spread reads `data` and is an ordinary message).
 */
const bodies = new WeakMap<BrokerMessage, Buffer>();

/** The pre-encoded JSON body of a message decoded from v2 (fan-out splices it instead of encoding), else undefined. */
export function splicedBody(message: BrokerMessage): Buffer | undefined {
  return bodies.get(message);
}

/** `d` as the JSON frames carry it; `undefined` (no payload) travels as `null`, as v1's JSON array had it. */
function jsonBody(data: unknown): string {
  return data === undefined ? 'null' : (json.encode(data) as string);
}

function header(message: BrokerMessage): string {
  return JSON.stringify([2, message.event, message.intent, message.target, message.createdAt]);
}

/**
 * The v2 bytes of a message (what `publishRaw` takes). A message that came spliced keeps its body bytes; otherwise
 * `data` is encoded once here, as the JSON frames want it. Throws a `ProtocolError` when the payload is not JSON-able.
 */
export function encodeBrokerPayload(message: BrokerMessage): Buffer {
  const body = bodies.get(message);
  if (body !== undefined) return Buffer.concat([Buffer.from(`${header(message)}\n`), body]);
  return Buffer.from(`${header(message)}\n${jsonBody(message.data)}`);
}

/** A message as text in the given wire format (v2 by default; the brokers publish v2 as bytes, `encodeBrokerPayload`). */
export function encodeBrokerMessage(message: BrokerMessage, format: BrokerWireFormat = 2): string {
  if (format === 1) {
    return JSON.stringify([1, message.event, message.intent, message.target, message.createdAt, message.data]);
  }
  const body = bodies.get(message);
  return `${header(message)}\n${body !== undefined ? body.toString('utf8') : jsonBody(message.data)}`;
}

function fail(why: string): never {
  throw new GatewayServerError('INVALID_BROKER_MESSAGE', `invalid broker message: ${why}`);
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

function decodeTarget(raw: unknown): DispatchTarget {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('target is not an object');
  const t = raw as Record<string, unknown>;
  switch (t.type) {
    case 'guild':
      if (!isId(t.guildId)) fail('guild target without guildId');
      return { type: 'guild', guildId: t.guildId };
    case 'channel':
      if (!isId(t.guildId) || !isId(t.channelId)) fail('channel target without guildId/channelId');
      return { type: 'channel', guildId: t.guildId, channelId: t.channelId };
    case 'session':
      if (!isId(t.sessionId)) fail('session target without sessionId');
      return { type: 'session', sessionId: t.sessionId };
    case 'users': {
      if (!Array.isArray(t.userIds) || !t.userIds.every(isId)) fail('users target without userIds');
      if (t.guildId !== undefined && !isId(t.guildId)) fail('users target with a bad guildId');
      return t.guildId === undefined
        ? { type: 'users', userIds: t.userIds as string[] }
        : { type: 'users', userIds: t.userIds as string[], guildId: t.guildId };
    }
    default:
      fail('unknown target type');
  }
}

/** The routing fields shared by both versions (elements 1–4 of the array). */
function routing(raw: unknown[]): Omit<BrokerMessage, 'data'> {
  const [, event, intent, target, createdAt] = raw;
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) fail('bad event name');
  if (intent !== null && (typeof intent !== 'number' || !Number.isInteger(intent) || intent < 0)) fail('bad intent');
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) fail('bad createdAt');
  return { event, intent, target: decodeTarget(target), createdAt };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    fail('not JSON');
  }
}

function decodeV1(text: string): BrokerMessage {
  const raw = parse(text);
  if (!Array.isArray(raw) || raw.length !== 6 || raw[0] !== 1) fail('not a v1 message');
  return { ...routing(raw), data: raw[5] };
}

/** `data` of a message decoded from v2 once it was read or replaced; until then only its body is kept. */
const parsed = new WeakMap<BrokerMessage, unknown>();

// One getter/setter pair shared by every decoded message rather than a literal's `get data()`, a new closure per
// message: V8 keeps an object whose accessor is a pair other objects share in the shared hidden class, but turns one
// with its own closures into a dictionary-mode object, and fan-out reads its `target`, `intent` and `position` once
// per recipient (each read then a hash lookup through a megamorphic inline cache).
function readData(this: BrokerMessage): unknown {
  if (parsed.has(this)) return parsed.get(this);
  const body = bodies.get(this);
  const data = body === undefined ? undefined : decodeJson(body, { maxDepth: MAX_DEPTH });
  parsed.set(this, data);
  return data;
}

function writeData(this: BrokerMessage, value: unknown): void {
  parsed.set(this, value);
  // Replaced: the body no longer says what `data` does, so nothing may splice or re-publish it.
  bodies.delete(this);
}

function decodeV2(headerText: string, body: Buffer): BrokerMessage {
  const raw = parse(headerText);
  if (!Array.isArray(raw) || raw.length !== 5 || raw[0] !== 2) fail('not a v2 header');
  const { event, intent, target, createdAt } = routing(raw);
  if (!isUtf8(body) || !isJsonText(body, MAX_DEPTH)) fail('body is not JSON');
  return spliceable({ event, intent, target, createdAt } as BrokerMessage, body);
}

/**
 * The message a publishing node delivers to its own listeners when the bus brings back what it published as `payload`
 * (made by {@link encodeBrokerPayload} from `message`): the one decoding those bytes would give (routing fields
 * checked the same way, fresh target, `data` parsed from the body on first read, the body spliced into JSON frames),
 * made without parsing or checking the bytes, which this node encoded itself. Null when decoding would refuse its
 * routing fields (a bad event name, intent or target) or its size: it is then decoded from the bus and dropped, as on
 * every other node. The body is not scanned again: the encoder made it and checked the payload's depth (a `toJSON`
 * nesting deeper than that check sees is delivered here, as the in-process broker would, and refused elsewhere).
 */
export function ownCopy(message: BrokerMessage, payload: Buffer): BrokerMessage | null {
  if (payload.byteLength > MAX_BROKER_MESSAGE_BYTES) return null;
  const newline = payload.indexOf(NEWLINE);
  if (newline < 0 || newline > MAX_HEADER_BYTES) return null;
  let routed: Omit<BrokerMessage, 'data'>;
  try {
    routed = routing([2, message.event, message.intent, message.target, message.createdAt]);
  } catch {
    return null;
  }
  const body = payload.subarray(newline + 1);
  const copy = { event: routed.event, intent: routed.intent, target: routed.target, createdAt: routed.createdAt };
  return spliceable(copy as BrokerMessage, body);
}

/** Gives a message its `data` accessor over `body` (the JSON bytes of `d`), as decoding v2 does. */
function spliceable(message: BrokerMessage, body: Buffer): BrokerMessage {
  // `data` is an own enumerable accessor, so the message still compares, spreads and serialises as plain data.
  Object.defineProperty(message, 'data', { get: readData, set: writeData, enumerable: true, configurable: true });
  bodies.set(message, body);
  return message;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes what another node published (v1 or v2), as text or bytes. Anything else on the channel (another app, a bad
 * version, truncation, a body that is not JSON, more than `MAX_BROKER_MESSAGE_BYTES`) throws a
 * `GatewayServerError` with code `INVALID_BROKER_MESSAGE`, which the brokers count and drop. Time and memory are linear
 * in the input; the body is copied out (never a view into the caller's buffer).
 */
export function decodeBrokerMessage(input: string | Uint8Array): BrokerMessage {
  if (typeof input === 'string') {
    if (input.length > MAX_BROKER_MESSAGE_BYTES) fail('too large');
    const newline = input.indexOf('\n');
    if (newline < 0) return decodeV1(input);
    if (newline > MAX_HEADER_BYTES) fail('header too long');
    return decodeV2(input.slice(0, newline), Buffer.from(input.slice(newline + 1), 'utf8'));
  }
  if (input.byteLength > MAX_BROKER_MESSAGE_BYTES) fail('too large');
  const bytes = asBuffer(input);
  const newline = bytes.indexOf(NEWLINE, 0);
  if (newline < 0) {
    if (!isUtf8(bytes)) fail('not UTF-8');
    return decodeV1(bytes.toString('utf8'));
  }
  if (newline > MAX_HEADER_BYTES) fail('header too long');
  const headerBytes = bytes.subarray(0, newline);
  if (!isUtf8(headerBytes)) fail('header not UTF-8');
  return decodeV2(headerBytes.toString('utf8'), Buffer.from(bytes.subarray(newline + 1)));
}

const STREAMED = /^(\d{1,15}-\d{1,15}) /;

/**
 * Splits what the Redis broker publishes with history on: `<stream id> <encoded message>` (the id comes from the XADD
 * done in the same script). A payload without an id is returned as is, with `id` null.
 */
export function splitStreamedPayload(text: string): { id: string | null; body: string } {
  const first = text.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return { id: null, body: text };
  const match = STREAMED.exec(text.slice(0, 40));
  if (!match) fail('bad stream id prefix');
  return { id: match[1]!, body: text.slice(match[0].length) };
}

/** Where the run of ASCII digits starting at `from` ends. */
function digitsEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && bytes[i]! >= 48 && bytes[i]! <= 57) i++;
  return i;
}

/**
 * {@link splitStreamedPayload} on bytes: the stream id (null without one) and where the message starts. Scans the
 * `<ms>-<seq> ` prefix byte by byte (every Redis message goes through here: no subarray, search or regex).
 */
export function splitStreamedBytes(bytes: Uint8Array): { id: string | null; start: number } {
  const first = bytes[0];
  if (first === undefined || first < 48 || first > 57) return { id: null, start: 0 };
  const dash = digitsEnd(bytes, 0);
  const space = dash < bytes.length && bytes[dash] === 0x2d ? digitsEnd(bytes, dash + 1) : -1;
  if (space < 0 || dash > 15 || space === dash + 1 || space - dash - 1 > 15 || bytes[space] !== 0x20) {
    fail('bad stream id prefix');
  }
  return { id: asBuffer(bytes).toString('latin1', 0, space), start: space + 1 };
}

/**
 * Decodes one payload as a bus carried it on `topic`: a Redis payload with history starts with its stream id, which
 * becomes `message.position`. What a host-local relay's workers call on the bytes the relay forwards them.
 */
export function decodeBrokerPayload(topic: string, payload: string | Uint8Array): BrokerMessage {
  if (typeof payload === 'string') {
    const { id, body } = splitStreamedPayload(payload);
    const message = decodeBrokerMessage(body);
    if (id !== null) message.position = { topic, id };
    return message;
  }
  const { id, start } = splitStreamedBytes(payload);
  const message = decodeBrokerMessage(start === 0 ? payload : payload.subarray(start));
  if (id !== null) message.position = { topic, id };
  return message;
}
