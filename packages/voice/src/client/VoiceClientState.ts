import type { EncryptionMode } from '../crypto/modes.js';
import { VoiceError } from '../errors.js';
import type { MediaSession } from './MediaSession.js';
import type { VoiceGatewaySocket } from './VoiceGatewaySocket.js';
import type { VoiceUdpSocket } from './VoiceUdpSocket.js';

/**
 * The phases of a voice connection, one state object each; what exists only in a phase lives in its state. The
 * client's `state` setter closes what the old state held and the new one does not (sockets, timers) and emits
 * `stateChange`, so no phase can leak its resources into the next.
 *
 *   closed ──connect()──▶ opening-ws ──Hello: Identify──▶ identifying ──Ready──▶ udp-handshaking
 *     ──IP discovery answered: Select Protocol──▶ selecting-protocol ──Session Description──▶ ready
 *   ready ──gateway dropped, resumable──▶ resuming ──Resumed──▶ ready     (UDP, keys and SSRC are kept meanwhile)
 *   any ──disconnect(), failure, updateServer()──▶ closed   (updateServer then connects to the new server)
 */
export type VoiceClientState =
  | VoiceClientOpeningWsState
  | VoiceClientIdentifyingState
  | VoiceClientUdpHandshakingState
  | VoiceClientSelectingProtocolState
  | VoiceClientReadyState
  | VoiceClientResumingState
  | VoiceClientClosedState;

export type VoiceClientStateCode = VoiceClientState['code'];

/** The `connect()` call a handshake answers: resolved when `ready` is reached, rejected when the handshake ends. */
export interface ConnectAttempt {
  resolve(): void;
  reject(error: Error): void;
}

/** The gateway socket is opening; Identify goes out on Hello. */
export interface VoiceClientOpeningWsState {
  readonly code: 'opening-ws';
  readonly ws: VoiceGatewaySocket;
  readonly connect: ConnectAttempt;
}

/** Identify sent, waiting for Ready. */
export interface VoiceClientIdentifyingState {
  readonly code: 'identifying';
  readonly ws: VoiceGatewaySocket;
  readonly connect: ConnectAttempt;
}

/** Ready received: asking the server over UDP which address it sees us at. */
export interface VoiceClientUdpHandshakingState {
  readonly code: 'udp-handshaking';
  readonly ws: VoiceGatewaySocket;
  readonly connect: ConnectAttempt;
  readonly udp: VoiceUdpSocket;
  readonly ssrc: number;
  /** The mode Select Protocol will ask for. */
  readonly mode: EncryptionMode;
}

/** Select Protocol sent, waiting for the Session Description (mode and key). */
export interface VoiceClientSelectingProtocolState {
  readonly code: 'selecting-protocol';
  readonly ws: VoiceGatewaySocket;
  readonly connect: ConnectAttempt;
  readonly udp: VoiceUdpSocket;
  readonly ssrc: number;
}

/** Keyed: audio can be sent and received. */
export interface VoiceClientReadyState {
  readonly code: 'ready';
  readonly ws: VoiceGatewaySocket;
  readonly udp: VoiceUdpSocket;
  readonly ssrc: number;
  readonly media: MediaSession;
}

/**
 * The gateway socket dropped and a new one is resuming the session; media keeps flowing over UDP with the same key.
 * `attempts` counts the resumes in a row (at most three before the session is given up).
 */
export interface VoiceClientResumingState {
  readonly code: 'resuming';
  readonly ws: VoiceGatewaySocket;
  readonly udp: VoiceUdpSocket;
  readonly ssrc: number;
  readonly media: MediaSession;
  readonly attempts: number;
}

/** No connection: before `connect()`, after `disconnect()` or a failure, or between servers (`updateServer`). */
export interface VoiceClientClosedState {
  readonly code: 'closed';
}

/** The states media can be sent and received in. */
export type VoiceClientMediaState = VoiceClientReadyState | VoiceClientResumingState;

/**
 * Releases what `prev` held that `next` does not take over: the gateway socket (its listeners removed, then closed
 * with 1000 or dropped), the UDP socket, the media session's timer. A `connect()` waiting on `prev` and not on `next`
 * settles: resolved on `ready`, otherwise rejected (a failure has already rejected it with its own reason).
 */
export function releaseState(prev: VoiceClientState, next: VoiceClientState): void {
  const ws = 'ws' in prev ? prev.ws : undefined;
  if (ws && ws !== ('ws' in next ? next.ws : undefined)) {
    ws.removeAllListeners();
    ws.destroy();
  }
  const udp = 'udp' in prev ? prev.udp : undefined;
  if (udp && udp !== ('udp' in next ? next.udp : undefined)) udp.close();
  const media = 'media' in prev ? prev.media : undefined;
  if (media && media !== ('media' in next ? next.media : undefined)) media.dispose();
  const attempt = 'connect' in prev ? prev.connect : undefined;
  if (attempt && attempt !== ('connect' in next ? next.connect : undefined)) {
    if (next.code === 'ready') attempt.resolve();
    else attempt.reject(new VoiceError('VOICE_CLOSED', 'voice connection closed while connecting'));
  }
}
