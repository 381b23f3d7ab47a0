/** One received RTP packet, as the jitter buffer needs it (header already parsed, payload already decrypted). */
export interface JitterPacket {
  /** RTP sequence number, 16-bit (wraps). */
  sequence: number;
  /** RTP timestamp, 32-bit (wraps), in clock-rate units (48 kHz for Opus). */
  timestamp: number;
  /** Encoded frame (e.g. one Opus packet). */
  payload: Uint8Array;
  /** Local arrival time in milliseconds, on the same clock as the `nowMs` given to `pull`. */
  arrivalMs: number;
}

/**
 * What to play for one tick of the playout clock.
 * - `audio`: a received frame (`payload`, `sequence`).
 * - `concealed`: a frame is missing (lost, late, or the buffer is growing its delay) while the speaker is talking;
 *   `payload` is what the `conceal` callback returned, if one was given, else absent (the caller runs its decoder's PLC,
 *   e.g. Opus `decode(empty)`, or plays silence).
 * - `silence`: nothing to play between talk spurts (DTX): play comfort silence.
 * - `empty`: nothing yet (buffer priming before the first frame is due), or the last frame returned is longer than the
 *   pull interval and is still playing.
 */
export type PullResult =
  | { kind: 'audio'; payload: Uint8Array; sequence: number; timestamp: number; durationMs: number }
  | { kind: 'concealed'; payload?: Uint8Array | Int16Array; durationMs: number; reason: 'loss' | 'grow' }
  | { kind: 'silence'; durationMs: number }
  | { kind: 'empty' };

export interface JitterStats {
  /** Packets given to `push` (including duplicates, late and stale ones). */
  received: number;
  /** Packets that arrived after their playout slot had passed, discarded. */
  late: number;
  /** Packets discarded because that sequence number was already buffered or played. */
  duplicates: number;
  /** Packets dropped because the buffer was full (only with a pathological sender). */
  overflow: number;
  /** Buffered packets thrown away by a stream reset. */
  flushed: number;
  /** Frames dropped on purpose to shrink the delay (silence frames first). */
  shrinkDropped: number;
  /** Packets still waiting in the buffer. */
  buffered: number;
  /** Frames returned as `audio`. */
  played: number;
  /** Frames the sender sent that never reached their slot (sequence gaps at playout time); includes late ones. */
  lost: number;
  /** Frames returned as `concealed` (losses plus delay growth). */
  concealed: number;
  /** Frames returned as `silence`. */
  silence: number;
  /** Stream resets (big sequence or timestamp jumps). */
  resets: number;
  /** Current target delay in ms (20–500 for the adaptive buffer; the configured delay for the fixed one). */
  targetDelayMs: number;
  /** Mean time a played frame waited in the buffer, from arrival to the pull that returned it, in ms. */
  meanAddedDelayMs: number;
  /** Current buffer level: media buffered ahead of the playout point, in ms. */
  bufferLevelMs: number;
}

/** The interface both the adaptive and the fixed-delay buffer implement. */
export interface JitterBuffer {
  /** Adds a received packet. Returns what happened to it. */
  push(packet: JitterPacket): 'buffered' | 'late' | 'duplicate' | 'reset';
  /** Called once per playout tick (every 20 ms for Opus) with the current time; returns what to play. */
  pull(nowMs: number): PullResult;
  stats(): JitterStats;
  /** Forgets the stream (keeps the learned delay statistics of the adaptive buffer). */
  reset(): void;
}

export interface JitterBufferCommonOptions {
  /** RTP clock rate; 48 000 for Opus. */
  clockRate?: number;
  /** Frame duration in samples until it can be inferred from timestamps; 960 (20 ms at 48 kHz). */
  frameSamples?: number;
  /**
   * Produces a concealment frame for a missing one (e.g. Opus PLC through the caller's decoder). Without it,
   * `concealed` results carry no payload.
   */
  conceal?: (lostFrames: number) => Uint8Array | Int16Array;
  /** Whether a payload is a silence/DTX frame; default: payloads of at most 3 bytes (Opus DTX / the 0xF8FFFE frame). */
  isSilence?: (payload: Uint8Array) => boolean;
  /** Consecutive concealed frames (with nothing buffered) after which the talk spurt is considered over; 5. */
  maxConcealedFrames?: number;
  /** Sequence jump (either way) treated as a new stream rather than losses; 1000 packets (20 s of 20 ms frames). */
  maxSequenceJump?: number;
  /** Packets kept at most; 256. */
  capacity?: number;
}
