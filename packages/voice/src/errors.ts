/** Base class of every error this package raises; `code` is stable and meant for programs, `message` for humans. */
export class VoiceError extends Error {
  public readonly code: string;

  public constructor(code: string, message: string) {
    super(message);
    this.name = 'VoiceError';
    this.code = code;
  }
}

/** Codes of packets the RTP parser or a cipher refused; the UDP path counts them instead of throwing. */
export type PacketErrorCode =
  | 'RTP_TOO_SHORT'
  | 'RTP_BAD_VERSION'
  | 'RTP_BAD_CSRC'
  | 'RTP_BAD_EXTENSION'
  | 'RTP_BAD_PADDING'
  | 'PACKET_TOO_SHORT'
  | 'DECRYPT_FAILED'
  | 'REPLAY'
  | 'NONCE_EXHAUSTED'
  | 'RTCP_TOO_SHORT'
  | 'RTCP_BAD_VERSION'
  | 'RTCP_BAD_LENGTH';

/** A packet that cannot be used: malformed, forged, or replayed. */
export class PacketError extends VoiceError {
  declare public readonly code: PacketErrorCode;

  public constructor(code: PacketErrorCode, message: string) {
    super(code, message);
    this.name = 'PacketError';
  }
}
