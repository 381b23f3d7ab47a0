import { isIP } from 'node:net';
import { VoiceCloseCode } from '@concord/protocol';
import { type EncryptionMode, isEncryptionMode } from '../crypto/modes.js';
import { decodeClientFrame } from '../dave/daveFrames.js';
import type { VoiceIdentify } from './VoiceServerOptions.js';

/**
 * Validation of what voice clients send, one function per command. Each returns the command's data, or a `Refusal`:
 * the close code and reason the connection gets. Pure, so every rule is testable without a socket.
 */

/** Why a command is refused: the connection closes with this code and reason. */
export class Refusal {
  public constructor(
    public readonly code: number,
    public readonly reason: string,
  ) {}
}

/** Largest text frame accepted, in bytes (the largest command, Select Protocol, is far below). */
export const MAX_PAYLOAD = 4096;
/**
 * Largest WebRTC Select Protocol (op 1) accepted: a browser's carries its SDP offer (at most 64 KiB,
 * src/webrtc/SdpOffer.ts) twice (`data` and `sdp`, as Discord's web client sends it), JSON-escaped — the only command
 * allowed past MAX_PAYLOAD. The WebSocket frame limit is this too.
 */
export const MAX_SELECT_PROTOCOL_PAYLOAD = 160 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

/** A WebSocket frame → `{op, d}`. */
export function decodeCommand(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): { op: number; d: unknown; binary?: true } | Refusal {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
  // Binary frames are DAVE messages (`uint8 opcode, payload`, docs/protocol.md › DAVE), size-capped per opcode; the
  // gateway refuses them from a member that did not negotiate DAVE.
  if (isBinary) {
    const frame = decodeClientFrame(buf);
    return frame
      ? { op: frame.op, d: frame.payload, binary: true }
      : new Refusal(VoiceCloseCode.DecodeFailure, 'decode error');
  }
  if (buf.length > MAX_SELECT_PROTOCOL_PAYLOAD) return new Refusal(VoiceCloseCode.DecodeFailure, 'decode error');
  let payload: unknown;
  try {
    payload = JSON.parse(buf.toString('utf8'));
  } catch {
    return new Refusal(VoiceCloseCode.DecodeFailure, 'invalid JSON');
  }
  if (!isObject(payload) || !Number.isInteger(payload.op)) {
    return new Refusal(VoiceCloseCode.DecodeFailure, 'invalid payload');
  }
  if (buf.length > MAX_PAYLOAD && !(payload.op === 1 && isObject(payload.d) && payload.d.protocol === 'webrtc')) {
    return new Refusal(VoiceCloseCode.DecodeFailure, 'decode error');
  }
  return { op: payload.op as number, d: payload.d };
}

/**
 * Identify (op 0). `mixed` is not in Discord's protocol: a Concord client may ask for the server mix at Identify, and
 * Ready then says whether it got it.
 */
export function parseIdentify(d: unknown): (VoiceIdentify & { mixed: boolean; maxDaveVersion: number }) | Refusal {
  if (
    !isObject(d) ||
    !isId(d.server_id) ||
    !isId(d.user_id) ||
    !isId(d.session_id) ||
    typeof d.token !== 'string' ||
    d.token.length > 512
  ) {
    return new Refusal(VoiceCloseCode.BadRequest, 'bad identify');
  }
  // DAVE: the highest protocol version the client supports; anything but a small non-negative integer counts as 0.
  const dave = d.max_dave_protocol_version;
  const maxDaveVersion =
    Number.isInteger(dave) && (dave as number) >= 0 && (dave as number) < 256 ? (dave as number) : 0;
  return {
    serverId: d.server_id,
    userId: d.user_id,
    sessionId: d.session_id,
    token: d.token,
    mixed: d.mixed === true,
    maxDaveVersion,
  };
}

/** Resume (op 7). `seqAck` is the last sequenced message the client saw (v8), -1 when it did not say. */
export function parseResume(
  d: unknown,
): { serverId: string; sessionId: string; token: string; seqAck: number } | Refusal {
  if (!isObject(d) || !isId(d.server_id) || !isId(d.session_id) || typeof d.token !== 'string') {
    return new Refusal(VoiceCloseCode.BadRequest, 'bad resume');
  }
  const seqAck = typeof d.seq_ack === 'number' ? d.seq_ack : -1;
  return { serverId: d.server_id, sessionId: d.session_id, token: d.token, seqAck };
}

/** Select Protocol (op 1): the encryption mode, which must be one of `modes` (those offered in Ready). */
export function parseSelectProtocol(d: unknown, modes: readonly EncryptionMode[]): { mode: EncryptionMode } | Refusal {
  if (!isObject(d) || typeof d.protocol !== 'string') return new Refusal(VoiceCloseCode.BadRequest, 'bad');
  if (d.protocol !== 'udp') return new Refusal(VoiceCloseCode.UnknownProtocol, 'unknown protocol');
  const data = d.data;
  if (!isObject(data)) return new Refusal(VoiceCloseCode.BadRequest, 'missing data');
  const mode = data.mode;
  if (!isEncryptionMode(mode) || !modes.includes(mode)) {
    return new Refusal(VoiceCloseCode.UnknownEncryptionMode, 'unknown encryption mode');
  }
  const address = typeof data.address === 'string' ? data.address : data.ip;
  const port = data.port;
  // The claimed address must be an IP literal (a host name would be resolved by every send), but it is only checked,
  // never used: media goes to the address the member proves over UDP (Sfu: IP discovery, or its first authenticated
  // packet). Discord's clients claim what IP discovery told them, i.e. that very address; anything else is a claim
  // about someone else's address, and following it would make this server a traffic reflector.
  if (
    typeof address !== 'string' ||
    isIP(address) === 0 ||
    !Number.isInteger(port) ||
    (port as number) < 1 ||
    (port as number) > 65535
  ) {
    return new Refusal(VoiceCloseCode.BadRequest, 'bad address');
  }
  return { mode };
}

/** Speaking (op 5): the speaking flags. */
export function parseSpeaking(d: unknown): number | Refusal {
  if (!isObject(d) || !Number.isInteger(d.speaking) || (d.speaking as number) < 0) {
    return new Refusal(VoiceCloseCode.BadRequest, 'bad speaking');
  }
  return d.speaking as number;
}

/** The `t` (nonce) a heartbeat carries and, in v8, `seq_ack`; v4 sends the bare nonce. */
export function parseHeartbeat(d: unknown): { nonce: unknown; seqAck: number | null; legacy: unknown } {
  if (isObject(d)) return { nonce: d.t ?? null, seqAck: typeof d.seq_ack === 'number' ? d.seq_ack : null, legacy: d };
  return { nonce: d ?? null, seqAck: null, legacy: d ?? null };
}
