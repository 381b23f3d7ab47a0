/** Video counters of the media plane (part of the Sfu's stats). */
export interface VideoStats {
  /** Video packets received from senders (media SSRCs). */
  received: number;
  /** Video packets sent to receivers (RTX not included). */
  forwarded: number;
  /** Receivers switched from one layer to another (starting a receiver is not a switch). */
  layerSwitches: number;
  /** Keyframe requests the SFU made itself (a receiver waits for a layer and no keyframe is at hand). */
  plisSent: number;
  /** Receivers' PLI/FIR passed on to the sender (for the layer that receiver gets). */
  plisForwarded: number;
  /** Keyframe requests not sent because one went to that layer less than KEYFRAME_REQUEST_INTERVAL_MS ago. */
  plisThrottled: number;
  /** NACKed packets found in the retransmission cache and resent. */
  nacksAnswered: number;
  /** NACKed packets no longer (or never) in the cache. */
  nacksMissed: number;
  /** RTX packets sent. */
  rtxSent: number;
  /** REMB estimates taken from receivers. */
  estimates: number;
  dropped: {
    /** Sender server-muted. */
    muted: number;
    /** Camera off, or the layer announced inactive. */
    inactive: number;
    /** Payload type not in the sender's table, or the receiver has no payload type for the codec. */
    codec: number;
    /** RTX from a sender (the SFU answers NACKs itself and never NACKs senders). */
    rtx: number;
    /** Receivers out of the sender's range in a positional room. */
    outOfRange: number;
    /** Feedback about SSRCs that are not a video sender of the reporter's room. */
    feedback: number;
  };
}

export function createVideoStats(): VideoStats {
  return {
    received: 0,
    forwarded: 0,
    layerSwitches: 0,
    plisSent: 0,
    plisForwarded: 0,
    plisThrottled: 0,
    nacksAnswered: 0,
    nacksMissed: 0,
    rtxSent: 0,
    estimates: 0,
    dropped: { muted: 0, inactive: 0, codec: 0, rtx: 0, outOfRange: 0, feedback: 0 },
  };
}
