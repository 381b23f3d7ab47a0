import { writeOggOpus } from './writeOggOpus.js';

/** A window of one speaker's voice, for a report. */
export interface EvidenceClip {
  userId: string;
  /** First and last frame kept, Unix ms. */
  from: number;
  to: number;
  /** Ogg Opus (writeOggOpus.ts). */
  ogg: Buffer;
}

/** The longest window a channel may keep, in seconds. */
export const MAX_EVIDENCE_SECONDS = 60;
/** Opus frames per second of a voice call (20 ms frames). */
const FRAMES_PER_SECOND = 50;
/** Longest frame kept (bytes): a voice frame is ~20–200; anything longer is not voice. */
const MAX_FRAME_BYTES = 1275;

interface Ring {
  /** Each frame's arrival (Unix ms) and payload, oldest first, at most `capacity`. */
  at: Float64Array;
  frames: (Uint8Array | undefined)[];
  next: number;
  size: number;
  seconds: number;
}

/**
 * The last seconds of each speaker's voice in channels that opted in (`VoiceServer.recordEvidence`), so a report
 * can carry what was said. Memory is bounded: per speaker a ring of `seconds × 50` frames (≤ 60 s, ~1 MB at the
 * worst frame size, ~150 KB for ordinary speech), and at most `maxSpeakers` speakers (the least recently heard
 * dropped first). End-to-end encrypted (DAVE) frames are not kept: nobody but the call could play them.
 */
export class EvidenceRecorder {
  readonly #rooms = new Map<string, number>();
  /** Speaker → ring; insertion order = least recently heard first. */
  readonly #speakers = new Map<string, Ring>();
  readonly #maxSpeakers: number;
  readonly #now: () => number;

  constructor(options: { maxSpeakers?: number; now?: () => number } = {}) {
    this.#maxSpeakers = options.maxSpeakers ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps the last `seconds` of every speaker of `room` (null: stop, and forget what was kept there). */
  setRoom(room: string, seconds: number | null): void {
    if (seconds === null) {
      this.#rooms.delete(room);
      return;
    }
    if (!(seconds >= 1 && seconds <= MAX_EVIDENCE_SECONDS))
      throw new RangeError(`evidence seconds must be 1–${MAX_EVIDENCE_SECONDS}`);
    this.#rooms.set(room, seconds);
  }

  records(room: string): boolean {
    return this.#rooms.has(room);
  }

  /** One frame a speaker sent (the SFU calls this for rooms that record). The payload is copied. */
  record(room: string, userId: string, payload: Uint8Array): void {
    const seconds = this.#rooms.get(room);
    if (seconds === undefined || payload.length === 0 || payload.length > MAX_FRAME_BYTES) return;
    let ring = this.#speakers.get(userId);
    if (ring) this.#speakers.delete(userId);
    if (!ring || ring.seconds !== seconds) {
      const capacity = seconds * FRAMES_PER_SECOND;
      ring = { at: new Float64Array(capacity), frames: new Array(capacity), next: 0, size: 0, seconds };
      if (this.#speakers.size >= this.#maxSpeakers) {
        const oldest = this.#speakers.keys().next().value;
        if (oldest !== undefined) this.#speakers.delete(oldest);
      }
    }
    this.#speakers.set(userId, ring);
    ring.at[ring.next] = this.#now();
    ring.frames[ring.next] = Uint8Array.prototype.slice.call(payload);
    ring.next = (ring.next + 1) % ring.frames.length;
    ring.size = Math.min(ring.size + 1, ring.frames.length);
  }

  /** The speaker's last `seconds` (at most what was kept) as Ogg Opus, or null when nothing was kept. */
  clip(userId: string, seconds: number): EvidenceClip | null {
    const ring = this.#speakers.get(userId);
    if (!ring || ring.size === 0) return null;
    const since = this.#now() - seconds * 1000;
    const capacity = ring.frames.length;
    const packets: Uint8Array[] = [];
    let from = Number.POSITIVE_INFINITY;
    let to = 0;
    for (let k = 0; k < ring.size; k++) {
      const i = (ring.next - ring.size + k + capacity) % capacity;
      const at = ring.at[i]!;
      if (at < since) continue;
      packets.push(ring.frames[i]!);
      from = Math.min(from, at);
      to = Math.max(to, at);
    }
    if (packets.length === 0) return null;
    return { userId, from, to, ogg: writeOggOpus(packets) };
  }

  /** Forgets a speaker's window (their report was filed, or they asked). */
  forget(userId: string): void {
    this.#speakers.delete(userId);
  }
}
