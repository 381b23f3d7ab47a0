import type { CryptoBackend } from '../crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../crypto/modes.js';
import type { OpusBitrateControllerOptions } from './OpusBitrateController.js';
import type { VoiceClientVideoOptions } from './VideoOptions.js';

export interface VoiceClientOptions {
  /** host:port as in VOICE_SERVER_UPDATE, or a full ws:// / wss:// URL. */
  endpoint: string;
  token: string;
  sessionId: string;
  userId: string;
  guildId: string;
  /** Voice gateway version (default 8). */
  version?: 4 | 8;
  /** Use wss:// when the endpoint has no scheme (default false: Discord's servers need true). */
  secure?: boolean;
  /** Extra TLS options for wss:// (e.g. a CA for a self-signed server). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Mode preference, best first (default: AES-GCM, XChaCha20, then the XSalsa20 modes). */
  modes?: readonly EncryptionMode[];
  backend?: CryptoBackend;
  /** Give up connecting after this many ms (default 10000). */
  timeout?: number;
  /** How often to send RTCP receiver reports about the streams received, ms (default 5000; 0 turns them off). */
  rtcpInterval?: number;
  /**
   * Adapt the encoder used by `sendPcm` to the receiver reports that come back (default true). An object tunes the
   * controller; false leaves the encoder alone (`receiverReport` events are still emitted).
   */
  adaptBitrate?: boolean | OpusBitrateControllerOptions;
  /**
   * Ask a Concord server for one server-mixed stream (SSRC MIXER_SSRC) instead of one per speaker (an extra Identify
   * field other servers ignore). Default false.
   */
  mixed?: boolean;
  /**
   * Negotiate video (Identify `video`/`streams`, Select Protocol `codecs`): the layers we send, the receive cap (REMB),
   * NACK. Absent: audio only, as before.
   */
  video?: VoiceClientVideoOptions;
}

/**
 * What `VoiceClient` uses for every option left out. `rtcpInterval` also sets how long a listener's last report counts
 * for bitrate adaptation (three intervals; with reports off, three default intervals).
 */
export const defaultVoiceClientOptions = {
  version: 8,
  secure: false,
  modes: ENCRYPTION_MODES,
  timeout: 10_000,
  rtcpInterval: 5_000,
  adaptBitrate: true,
  mixed: false,
} as const satisfies Required<
  Omit<VoiceClientOptions, 'endpoint' | 'token' | 'sessionId' | 'userId' | 'guildId' | 'tls' | 'backend' | 'video'>
>;
