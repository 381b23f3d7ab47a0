import { VoiceError } from '../errors.js';

export type VoiceClusterErrorCode =
  /** A health/load payload that is not a voice node status. */
  | 'BAD_STATUS'
  /** A voice token that is not ours: malformed, forged (bad signature) or signed with another secret. */
  | 'BAD_TOKEN'
  /** A voice token whose validity ended. */
  | 'TOKEN_EXPIRED'
  /** A health probe that got no usable answer (refused, timed out, non-200). */
  | 'PROBE_FAILED'
  /** A voice state notice that is not ours (malformed, forged, stale) or could not be delivered to its node. */
  | 'BAD_NOTICE'
  | 'NOTICE_FAILED'
  /** Options that cannot work (no secret, no nodes...). */
  | 'INVALID_OPTION';

/** Errors of the voice cluster parts (node status, tokens, allocator). */
export class VoiceClusterError extends VoiceError {
  declare public readonly code: VoiceClusterErrorCode;

  public constructor(code: VoiceClusterErrorCode, message: string) {
    super(code, message);
    this.name = 'VoiceClusterError';
  }
}
