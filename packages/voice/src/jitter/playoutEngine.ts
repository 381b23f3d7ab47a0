import { createRtpUnwrapper } from './RtpUnwrapper.js';
import type { JitterBuffer, JitterBufferCommonOptions, JitterPacket, JitterStats, PullResult } from './types.js';

/**
 * How the playout point is chosen. The engine plays frame `ts` once `now − ts_ms − reference() ≥ requiredLagMs()`:
 * `reference()` is a transit time (arrival − media time) and the required lag the extra wait on top of it.
 */
export interface DelayPolicy {
  /** Whether the engine may move the playout point after start (grow / shrink). */
  readonly adaptive: boolean;
  /** Called for every non-duplicate packet (late ones included: they are the most informative). */
  observe(transitMs: number, arrivalMs: number): void;
  reference(): number;
  /** `playMediaMs`: media time of the next frame to play (lets a policy deepen the buffer around a predicted peak). */
  requiredLagMs(frameMs: number, playMediaMs: number): number;
  /** Overrides `shrinkPatienceMs` for now (e.g. 0 right after a predicted peak, to give its extra delay back at once). */
  shrinkPatienceMs?(): number | undefined;
  targetDelayMs(frameMs: number): number;
  /** The stream's timestamp origin changed: transit times from before mean nothing now. */
  onReset(): void;
}

export interface EngineOptions extends JitterBufferCommonOptions {
  /** Adaptive only: how long the playout point may stay a frame or more above the target, with no silence frame to
   * drop, before an audio frame is dropped anyway. */
  shrinkPatienceMs?: number;
}

interface Stored {
  seq: number;
  ts: number;
  sequence: number;
  payload: Uint8Array;
  arrivalMs: number;
}

const defaultIsSilence = (payload: Uint8Array): boolean => payload.length <= 3;
const PLAYED_RING = 4096;

export function createPlayoutEngine(policy: DelayPolicy, opts: EngineOptions = {}): JitterBuffer {
  const clockRate = opts.clockRate ?? 48_000;
  const isSilence = opts.isSilence ?? defaultIsSilence;
  const maxConcealed = opts.maxConcealedFrames ?? 5;
  const maxJump = opts.maxSequenceJump ?? 1000;
  const capacity = opts.capacity ?? 256;
  const shrinkPatienceMs = opts.shrinkPatienceMs ?? 1000;
  const conceal = opts.conceal;
  const unwrapper = createRtpUnwrapper();
  const msPerSample = 1000 / clockRate;

  let frameSamples = opts.frameSamples ?? 960;
  // Sorted by extended sequence number; small (a few dozen packets), so insertion by linear scan from the end is fine.
  const store: Stored[] = [];
  // Extended sequence numbers already played or declared lost, to tell duplicates from late packets.
  const playedTag = new Float64Array(PLAYED_RING).fill(-1);
  let playTs: number | null = null;
  let started = false;
  let talking = false;
  let consecutiveConcealed = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  let overdueSince: number | null = null;
  let lastSeq: number | null = null;
  let lastTs = 0;
  let addedDelaySum = 0;

  const s: Omit<JitterStats, 'buffered' | 'targetDelayMs' | 'meanAddedDelayMs' | 'bufferLevelMs'> = {
    received: 0,
    late: 0,
    duplicates: 0,
    overflow: 0,
    flushed: 0,
    shrinkDropped: 0,
    played: 0,
    lost: 0,
    concealed: 0,
    silence: 0,
    resets: 0,
  };

  const frameMs = () => frameSamples * msPerSample;

  function flush(): void {
    s.flushed += store.length;
    store.length = 0;
    playTs = null;
    started = false;
    talking = false;
    consecutiveConcealed = 0;
    overdueSince = null;
    busyUntil = Number.NEGATIVE_INFINITY;
    lastSeq = null;
    playedTag.fill(-1);
    unwrapper.reset();
    policy.onReset();
  }

  function markPlayed(seq: number): void {
    playedTag[seq % PLAYED_RING] = seq;
  }

  function isBuffered(seq: number): boolean {
    for (let i = store.length - 1; i >= 0; i--) if (store[i]!.seq === seq) return true;
    return false;
  }

  function insert(p: Stored): boolean {
    let i = store.length;
    while (i > 0 && store[i - 1]!.seq > p.seq) i--;
    if (i > 0 && store[i - 1]!.seq === p.seq) return false;
    store.splice(i, 0, p);
    return true;
  }

  function push(packet: JitterPacket): 'buffered' | 'late' | 'duplicate' | 'reset' {
    s.received++;
    let { seq, ts, seqDelta } = unwrapper.unwrap(packet.sequence, packet.timestamp);
    let result: 'buffered' | 'reset' = 'buffered';
    // A timestamp going backwards by more than a second while the sequence moves forward is a new stream too.
    const tsBackwards = seqDelta > 0 && lastSeq !== null && ts < lastTs - clockRate;
    // So is the newest packet landing more than a second behind the playout point: a sender whose timestamps did not
    // advance over a pause would otherwise have every later packet discarded as late.
    const behindPlayout = seqDelta > 0 && started && playTs !== null && (playTs - ts) * msPerSample > 1000;
    if (Math.abs(seqDelta) > maxJump || tsBackwards || behindPlayout) {
      flush();
      s.resets++;
      ({ seq, ts } = unwrapper.unwrap(packet.sequence, packet.timestamp));
      result = 'reset';
    }
    if (playedTag[seq % PLAYED_RING] === seq || isBuffered(seq)) {
      s.duplicates++;
      return 'duplicate';
    }
    policy.observe(packet.arrivalMs - ts * msPerSample, packet.arrivalMs);
    // Learn the frame size from consecutive sequence numbers (Opus may use 10–60 ms frames).
    if (lastSeq !== null && seq === lastSeq + 1) {
      const d = ts - lastTs;
      if (d > 0 && d <= clockRate * 0.12) frameSamples = d;
    }
    if (lastSeq === null || seq > lastSeq) {
      lastSeq = seq;
      lastTs = ts;
    }
    if (started && playTs !== null && ts + frameSamples / 2 <= playTs) {
      markPlayed(seq);
      s.late++;
      return 'late';
    }
    if (
      !insert({ seq, ts, sequence: packet.sequence & 0xffff, payload: packet.payload, arrivalMs: packet.arrivalMs })
    ) {
      s.duplicates++;
      return 'duplicate';
    }
    if (!started && playTs !== null && ts < playTs) playTs = ts;
    if (store.length > capacity) {
      markPlayed(store.shift()!.seq);
      s.overflow++;
    }
    return result;
  }

  function finish(result: PullResult, nowMs: number): PullResult {
    if (result.kind !== 'empty') busyUntil = nowMs + result.durationMs;
    return result;
  }

  function concealed(reason: 'loss' | 'grow'): PullResult {
    s.concealed++;
    consecutiveConcealed++;
    const durationMs = frameMs();
    if (conceal) return { kind: 'concealed', payload: conceal(consecutiveConcealed), durationMs, reason };
    return { kind: 'concealed', durationMs, reason };
  }

  function pull(nowMs: number): PullResult {
    // A frame longer than the pull interval is still playing.
    if (nowMs < busyUntil - 0.5) return { kind: 'empty' };
    if (playTs === null) {
      if (store.length === 0) return { kind: 'empty' };
      playTs = store[0]!.ts;
    }
    const half = frameSamples / 2;
    const fMs = frameMs();
    const lagNeeded = policy.requiredLagMs(fMs, playTs * msPerSample);
    let lag = nowMs - playTs * msPerSample - policy.reference();
    if (!started) {
      if (lag < lagNeeded) return { kind: 'empty' };
      started = true;
      talking = true;
    }
    // Each pass either returns or moves the playout point one frame forward (a shrink step); bounded.
    for (let pass = 0; pass < 8; pass++) {
      while (store.length > 0 && store[0]!.ts + half <= playTs) {
        // Misaligned timestamps (frame size changed mid-stream) leave packets behind the playout point.
        markPlayed(store.shift()!.seq);
        s.late++;
      }
      const front = store[0];
      const present = front !== undefined && front.ts - half < playTs;
      const upcoming = front !== undefined && front.ts < playTs + frameSamples * maxConcealed;
      if (policy.adaptive) {
        if (lag < lagNeeded) {
          // Grow: play something that is not the next frame, the playout point stays.
          overdueSince = null;
          if (!talking) {
            s.silence++;
            return finish({ kind: 'silence', durationMs: fMs }, nowMs);
          }
          return finish(concealed('grow'), nowMs);
        }
        if (lag - fMs >= lagNeeded) {
          let drop = false;
          if (!present && !talking) drop = true;
          else if (present && front !== undefined && isSilence(front.payload)) drop = true;
          else if (overdueSince === null) overdueSince = nowMs;
          else if (nowMs - overdueSince >= (policy.shrinkPatienceMs?.() ?? shrinkPatienceMs)) drop = true;
          if (drop) {
            overdueSince = null;
            if (present && front !== undefined) {
              markPlayed(store.shift()!.seq);
              s.shrinkDropped++;
              playTs = front.ts + frameSamples;
            } else {
              if (talking) s.lost++;
              playTs += frameSamples;
            }
            lag -= fMs;
            continue;
          }
        } else {
          overdueSince = null;
        }
      }
      if (present && front !== undefined) {
        store.shift();
        markPlayed(front.seq);
        playTs = front.ts + frameSamples;
        s.played++;
        addedDelaySum += nowMs - front.arrivalMs;
        talking = !isSilence(front.payload);
        consecutiveConcealed = 0;
        return finish(
          {
            kind: 'audio',
            payload: front.payload,
            sequence: front.sequence,
            timestamp: front.ts % 0x1_0000_0000,
            durationMs: fMs,
          },
          nowMs,
        );
      }
      playTs += frameSamples;
      if (talking && (upcoming || consecutiveConcealed < maxConcealed)) {
        s.lost++;
        const r = concealed('loss');
        if (consecutiveConcealed >= maxConcealed && !upcoming) talking = false;
        return finish(r, nowMs);
      }
      talking = false;
      s.silence++;
      return finish({ kind: 'silence', durationMs: fMs }, nowMs);
    }
    s.silence++;
    return finish({ kind: 'silence', durationMs: fMs }, nowMs);
  }

  return {
    push,
    pull,
    stats() {
      const last = store[store.length - 1];
      const level =
        last !== undefined && playTs !== null ? Math.max(0, last.ts + frameSamples - playTs) * msPerSample : 0;
      return {
        ...s,
        buffered: store.length,
        targetDelayMs: policy.targetDelayMs(frameMs()),
        meanAddedDelayMs: s.played > 0 ? addedDelaySum / s.played : 0,
        bufferLevelMs: level,
      };
    },
    reset() {
      flush();
    },
  };
}
