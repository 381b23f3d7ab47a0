import { encodeVarint, encodeVector, u16 } from './mlsEncoding.js';

/**
 * DAVE's binary voice gateway frames (docs/protocol.md › DAVE). Server → client: `uint16 sequence, uint8 opcode,
 * payload` (the sequence is the v8 message sequence, shared with JSON messages). Client → server: `uint8 opcode,
 * payload`. Clients send only key packages (26) and commit/welcomes (28) this way.
 */

export const DaveOpcode = {
  PrepareTransition: 21,
  ExecuteTransition: 22,
  TransitionReady: 23,
  PrepareEpoch: 24,
  ExternalSender: 25,
  KeyPackage: 26,
  Proposals: 27,
  CommitWelcome: 28,
  AnnounceCommitTransition: 29,
  Welcome: 30,
  InvalidCommitWelcome: 31,
} as const;

/** Largest key package accepted (a DAVE key package is about 400 bytes: one P-256 leaf, no extensions). */
export const MAX_KEY_PACKAGE = 4096;
/**
 * Largest commit + welcome accepted. The welcome grows with the group (an inline ratchet tree and one encrypted secret
 * per added member, a few hundred bytes each); 60 KiB is ample for any call this server holds, and stays under the
 * WebSocket's 64 KiB frame limit.
 */
export const MAX_COMMIT_WELCOME = 60 * 1024;

/** A binary frame from a client, or null when it is not one a client may send (unknown opcode, empty, too large). */
export function decodeClientFrame(frame: Buffer): { op: number; payload: Buffer } | null {
  if (frame.length < 2) return null;
  const op = frame[0]!;
  const payload = frame.subarray(1);
  if (op === DaveOpcode.KeyPackage) return payload.length <= MAX_KEY_PACKAGE ? { op, payload } : null;
  if (op === DaveOpcode.CommitWelcome) return payload.length <= MAX_COMMIT_WELCOME ? { op, payload } : null;
  return null;
}

/** A server → client binary frame. */
export function encodeServerFrame(seq: number, op: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(3 + payload.length);
  out.writeUInt16BE(seq & 0xffff, 0);
  out[2] = op;
  payload.copy(out, 3);
  return out;
}

/** Op 27 append: `uint8 0, MLSMessage proposal_messages<V>`. */
export function proposalsAppend(messages: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0]), encodeVector(Buffer.concat(messages))]);
}

/** Op 27 revoke: `uint8 1, ProposalRef proposal_refs<V>` (each ref itself a `<V>` vector). */
export function proposalsRevoke(refs: readonly Buffer[]): Buffer {
  const body = Buffer.concat(refs.map((ref) => encodeVector(ref)));
  return Buffer.concat([Buffer.from([1]), encodeVarint(body.length), body]);
}

/** Op 29 and op 30: `uint16 transition_id` then the MLS message. */
export function withTransition(transitionId: number, message: Buffer): Buffer {
  return Buffer.concat([u16(transitionId), message]);
}

/** `transition_id` of op 23 / op 31 (JSON), or null when missing or out of the uint16 range. */
export function parseTransitionId(d: unknown): number | null {
  if (typeof d !== 'object' || d === null) return null;
  const id = (d as { transition_id?: unknown }).transition_id;
  return Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 0xffff ? (id as number) : null;
}
