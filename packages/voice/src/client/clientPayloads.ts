import { VoiceCloseCode } from '@concord/protocol';
import { chooseEncryptionMode, type EncryptionMode, isEncryptionMode, SECRET_KEY_LENGTH } from '../crypto/modes.js';
import { VoiceError } from '../errors.js';
import { defaultVoiceClientOptions, type VoiceClientOptions } from './VoiceClientOptions.js';
import { selectProtocolCodecs, videoIdentifyFields } from './videoPayloads.js';

/**
 * The client's side of the voice signalling: the commands it sends, and checks of the server payloads it relies on.
 * Pure functions, so the handshake rules can be read (and tested) apart from the sockets.
 */

/** Fields of server payloads this client reads (all unchecked until used). */
export interface ServerData {
  heartbeat_interval?: unknown;
  ssrc?: unknown;
  ip?: unknown;
  port?: unknown;
  modes?: unknown;
  mode?: unknown;
  secret_key?: unknown;
  speaking?: unknown;
  user_id?: unknown;
  user_ids?: unknown;
  mixed?: unknown;
  /** Ready's video streams, Session Description's codec, relayed op 12 fields: read by the video session. */
  streams?: unknown;
  video_codec?: unknown;
  video_ssrc?: unknown;
}

/** Used when Hello carries no usable interval. */
const FALLBACK_HEARTBEAT_MS = 13_750;

export function heartbeatInterval(d: ServerData): number {
  return Number(d.heartbeat_interval) || FALLBACK_HEARTBEAT_MS;
}

export function identifyPayload(o: VoiceClientOptions) {
  return {
    server_id: o.guildId,
    user_id: o.userId,
    session_id: o.sessionId,
    token: o.token,
    ...(o.mixed ? { mixed: true } : {}),
    ...videoIdentifyFields(o.video),
  };
}

export function resumePayload(o: VoiceClientOptions, seqAck: number) {
  return { server_id: o.guildId, session_id: o.sessionId, token: o.token, seq_ack: seqAck };
}

export function selectProtocolPayload(
  local: { address: string; port: number },
  mode: EncryptionMode,
  video?: VoiceClientOptions['video'],
) {
  const data = { address: local.address, port: local.port, mode };
  // Codecs only with video: an audio-only client's Select Protocol stays as it always was.
  return video ? { protocol: 'udp', data, codecs: selectProtocolCodecs(video) } : { protocol: 'udp', data };
}

/** What Ready (op 2) tells the client: where to send UDP, under which SSRC, and the mode to select. */
export interface ReadyInfo {
  ssrc: number;
  remote: { ip: string; port: number };
  /** The server's answer to the `mixed` option (null when not asked or not answered). */
  mixed: boolean | null;
  /** The best mode both sides support, or null when there is none. */
  mode: EncryptionMode | null;
  offered: string[];
}

export function readReady(d: ServerData, o: VoiceClientOptions): ReadyInfo {
  if (typeof d.ssrc !== 'number' || typeof d.ip !== 'string' || typeof d.port !== 'number') {
    throw new VoiceError('VOICE_BAD_READY', 'Ready without ssrc, ip and port');
  }
  const offered = Array.isArray(d.modes) ? d.modes.filter((m): m is string => typeof m === 'string') : [];
  return {
    ssrc: d.ssrc,
    remote: { ip: d.ip, port: d.port },
    mixed: o.mixed && typeof d.mixed === 'boolean' ? d.mixed : null,
    mode: chooseEncryptionMode(offered, o.modes ?? defaultVoiceClientOptions.modes),
    offered,
  };
}

export function readSessionDescription(d: ServerData): { mode: EncryptionMode; key: Uint8Array } {
  const mode = d.mode;
  if (!isEncryptionMode(mode) || !Array.isArray(d.secret_key) || d.secret_key.length !== SECRET_KEY_LENGTH) {
    throw new VoiceError('VOICE_BAD_SESSION', 'Session Description without a known mode and a 32-byte key');
  }
  return { mode, key: Uint8Array.from(d.secret_key) };
}

/**
 * Whether a gateway drop may be followed by Resume: 4015 (the server asks for it), or a transport-level close other
 * than a normal one (1000, 1001). Other 4xxx codes end the session.
 */
export function closeAllowsResume(code: number): boolean {
  return code === VoiceCloseCode.VoiceServerCrashed || (code < 4000 && code !== 1000 && code !== 1001);
}
