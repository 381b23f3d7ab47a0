import { VoiceError } from '../../errors.js';

/** Codes of video payloads a depacketizer refused. */
export type VideoRtpErrorCode =
  | 'VP8_TOO_SHORT'
  | 'H264_TOO_SHORT'
  | 'H264_BAD_NAL'
  | 'RTX_TOO_SHORT'
  | 'FRAME_TOO_LARGE';

/** A video payload that cannot be used (malformed or hostile); receivers count it and drop it. */
export class VideoRtpError extends VoiceError {
  declare public readonly code: VideoRtpErrorCode;

  public constructor(code: VideoRtpErrorCode, message: string) {
    super(code, message);
    this.name = 'VideoRtpError';
  }
}
