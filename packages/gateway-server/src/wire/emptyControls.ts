import { encodeControl, WS_HEADER_ROOM, writeWsHeader } from './frames.js';
import type { Encoding } from './protocol.js';

/** A control payload as `encodeControl` makes it, and the same payload as a whole unmasked WebSocket frame. */
export interface EncodedControl {
  readonly payload: Buffer;
  readonly wsFrame: Buffer;
}

/**
 * A control payload encoded once for many connections: `encodeControl`'s bytes and the same payload as a whole WebSocket
 * frame (Hello per server and encoding, UpgradeHandler.ts; the empty controls below). Never written to: sockets only
 * read what they are given.
 */
export function prepareControl(encoding: Encoding, op: number, d: unknown): EncodedControl {
  const payload = encodeControl(encoding, op, d);
  const out = Buffer.allocUnsafe(WS_HEADER_ROOM + payload.length);
  payload.copy(out, WS_HEADER_ROOM);
  return { payload, wsFrame: out.subarray(writeWsHeader(out, WS_HEADER_ROOM, payload.length, encoding.binary)) };
}

/** Per encoding, per opcode: the bytes are the same for every connection of an encoding. */
const made = new WeakMap<Encoding, (EncodedControl | undefined)[]>();

/**
 * `{ op, d: null }` encoded once per encoding (a heartbeat ACK, op 11, is one per heartbeat of every held session):
 * encoded per send, it was a JSON text, a Buffer, `ws`'s frame header and a two-buffer write, ~1.5 KB of garbage per
 * ACK against ~0.3 KB written as one prepared frame (heap sampling of 10,000 idle sessions).
 */
export function emptyControl(encoding: Encoding, op: number): EncodedControl {
  let byOp = made.get(encoding);
  if (byOp === undefined) {
    byOp = [];
    made.set(encoding, byOp);
  }
  let control = byOp[op];
  if (control === undefined) {
    control = prepareControl(encoding, op, null);
    byOp[op] = control;
  }
  return control;
}
