import type { CryptoBackend } from '../crypto/backends.js';
import type { EncryptionMode } from '../crypto/modes.js';
import { defaultMixerOptions } from '../mixer/Mixer.js';
import type { SpeechTapOptions } from '../speech/SpeechTap.js';

/** The Identify (op 0) a voice client sends, as an `authorize` hook sees it. */
export interface VoiceIdentify {
  serverId: string;
  userId: string;
  sessionId: string;
  token: string;
}

/** What an `authorize` hook grants: the channel this user joins. */
export interface VoiceAuthorization {
  channelId: string;
}

export interface VoiceServerOptions {
  /** Interface the WebSocket and UDP sockets bind to (default 127.0.0.1). */
  host?: string;
  /** WebSocket port (default 0 = any free port). */
  port?: number;
  /** UDP port (default 0 = any free port). */
  udpPort?: number;
  /** Address given to clients in Ready (default: `host`, or 127.0.0.1 when `host` is a wildcard). */
  publicIp?: string;
  /** Host name put in the endpoint that `allocate` returns (default: `publicIp`). */
  publicHost?: string;
  /** Serve wss:// with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Heartbeat interval sent in Hello, in ms (default 13750, as Discord). Silent connections close with 4009 after 1.5×. */
  heartbeatInterval?: number;
  /** Connections that have not identified (or resumed) this long after connecting close with 4009 (default 20 s). */
  identifyTimeout?: number;
  /** How long a dropped session can be resumed, in ms (default 30000). */
  resumeTimeout?: number;
  /** Validity of tokens issued by `allocate`, in ms (default 10 minutes). */
  allocationTtl?: number;
  /** Called for Identify tokens that `allocate` did not issue; return null to refuse (4004). */
  authorize?: (identify: VoiceIdentify) => VoiceAuthorization | null | Promise<VoiceAuthorization | null>;
  /** Modes offered in Ready, best first (default: all five). */
  modes?: readonly EncryptionMode[];
  /** Commands allowed per connection and window before 4021 (default 120 per 60 s). */
  rateLimit?: { commands: number; windowMs: number };
  /** SO_RCVBUF / SO_SNDBUF of the UDP socket in bytes (default 1 MiB; the kernel caps it). */
  udpBufferSize?: number;
  /**
   * Send each incoming packet's fan-out in one sendmmsg(2) (default true). Needs the optional `@concord/udp-batch`
   * native module (Linux, built at install); without it, or with false, one `socket.send` per datagram.
   */
  udpBatch?: boolean;
  /** Crypto backend for the XSalsa20 and XChaCha20 modes (default: sodium-native when installed). */
  backend?: CryptoBackend;
  /**
   * Members of this node that may receive the server mix at once (default 8). Past it, a `mixed: true` Identify gets
   * `mixed: false` in Ready (and the speakers' own streams), and `setMixed` returns false.
   */
  maxMixedListeners?: number;
  /** Speakers the mixer decodes at once (default 12); more are left out of the mix until one goes quiet. */
  maxMixedSpeakers?: number;
  /** The speech-to-text tap (`transcribe`): decoders, queue and timeout per channel, voice activity detection. */
  speech?: SpeechTapOptions;
  /**
   * DAVE end-to-end encryption (docs/protocol.md › DAVE). By default a call runs DAVE protocol version 1 while every
   * member's Identify says it supports it, and version 0 (transport encryption only) otherwise; `enabled: false` keeps
   * every call at version 0. `transitionTimeout` (default 3000 ms): how long a transition waits for every member's
   * op 23 before it is executed anyway.
   */
  dave?: { enabled?: boolean; transitionTimeout?: number };
  /**
   * Browsers through WebRTC (docs/protocol.md "Browsers (WebRTC)"), on by default. `bindAddress`: the one address the
   * ICE agent binds and puts in its answers (default: `publicIp`).
   */
  webrtc?: { enabled?: boolean; bindAddress?: string };
}

/**
 * Defaults of VoiceServerOptions. The mixing caps keep the mixer's codecs (one encoder per mixed listener, one decoder
 * per speaker heard) within what opusscript can hold in one process (about 20 instances, see README › Limits).
 */
export const defaultVoiceServerOptions = {
  host: '127.0.0.1',
  heartbeatInterval: 13_750,
  identifyTimeout: 20_000,
  resumeTimeout: 30_000,
  allocationTtl: 600_000,
  rateLimit: { commands: 120, windowMs: 60_000 },
  udpBufferSize: 1 << 20,
  udpBatch: true,
  maxMixedListeners: 8,
  maxMixedSpeakers: defaultMixerOptions.maxSpeakers,
} as const satisfies VoiceServerOptions;

/** Options with every default filled in. */
export type ResolvedVoiceServerOptions = VoiceServerOptions & {
  -readonly [K in keyof typeof defaultVoiceServerOptions]-?: NonNullable<VoiceServerOptions[K]>;
};

/** The options as given over the defaults; keys set to undefined keep their default (a plain spread would not). */
export function resolveVoiceServerOptions(options: VoiceServerOptions): ResolvedVoiceServerOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaultVoiceServerOptions, ...given } as ResolvedVoiceServerOptions;
}
