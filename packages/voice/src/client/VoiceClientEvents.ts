import type { EncryptionMode } from '../crypto/modes.js';
import type { ReportBlock } from '../rtcp/Rtcp.js';
import type { OpusEncoderSettings } from './OpusBitrateController.js';
import type { KeyframeRequest, ReceivedVideoFrame, RemoteVideo } from './VideoEvents.js';
import type { VoiceClientState } from './VoiceClientState.js';

/** A receiver's report about this client's stream, relayed by the server. */
export interface ReceivedReport {
  /** SSRC of the listener that reported, and its user once announced. */
  reporterSsrc: number;
  userId: string | null;
  block: ReportBlock;
}

export interface ReceivedPacket {
  ssrc: number;
  /** Known once the server announced the SSRC (op 5 or op 11 follow-ups); null before. */
  userId: string | null;
  sequence: number;
  timestamp: number;
  opus: Buffer;
}

export interface VoiceClientEvents {
  /** The connection moved from one phase to the next (see `VoiceClientState`); the old state's sockets are closed. */
  stateChange: [oldState: VoiceClientState, newState: VoiceClientState];
  ready: [info: { ssrc: number; mode: EncryptionMode }];
  packet: [packet: ReceivedPacket];
  speaking: [event: { userId: string; ssrc: number; speaking: number }];
  clientsConnect: [userIds: string[]];
  clientDisconnect: [userId: string];
  /** A listener's RTCP receiver report about our stream (loss, jitter). */
  receiverReport: [report: ReceivedReport];
  /** The encoder settings changed in answer to receiver reports. */
  encoderSettings: [settings: Readonly<OpusEncoderSettings>];
  /** One whole video frame of another member (with the `video` option). */
  videoFrame: [frame: ReceivedVideoFrame];
  /** A receiver needs a keyframe of one of our layers: make the next frame sent on it a keyframe. */
  keyframeRequested: [request: KeyframeRequest];
  /** Another member's camera went on, changed or went off (relayed op 12). */
  video: [remote: RemoteVideo];
  /** The gateway connection dropped and was resumed (audio kept flowing over UDP meanwhile). */
  resumed: [];
  /** The session's gateway socket closed for good (not when a resume or `updateServer` replaced it), with its code. */
  close: [code: number];
  error: [error: Error];
}
