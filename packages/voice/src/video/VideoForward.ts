import { randomInt } from 'node:crypto';
import type { OpenedRtp } from '../crypto/PacketCipher.js';

/** Forwarded packets remembered per receiver, to map a NACKed sequence number back to the layer packet. */
const HISTORY = 512;
/** RTP video clock: 90 kHz. */
const TICKS_PER_MS = 90;

/**
 * One sender's video towards one receiver: which layer it gets (`current`) and wants (`target`), and the rewriting
 * that makes every layer look like one stream under the sender's first video SSRC — sequence numbers continue by one
 * across a switch, timestamps continue by the wall-clock gap. The history maps each forwarded sequence number back to
 * (layer, original sequence number) so that a NACK can be answered from the layer's retransmission cache.
 */
export class VideoForward {
  /** Layer forwarded now (-1: none yet, or paused). */
  public current = -1;
  /** Layer wanted (-1: none). */
  public target = -1;
  #seqOffset = 0;
  #tsOffset = 0;
  /** Highest sequence number and its timestamp sent so far (-1: nothing sent yet). */
  #lastSeq = -1;
  #lastTs = 0;
  #lastAt = 0;
  #rtxSeq = randomInt(0, 0x10000);
  readonly #histSeq = new Int32Array(HISTORY).fill(-1);
  readonly #histOrig = new Int32Array(HISTORY);
  readonly #histTs = new Uint32Array(HISTORY);

  /** Switches to `layer`, starting with `opened` (a keyframe's first packet) as the next packet of the stream. */
  public switchTo(layer: number, opened: OpenedRtp, now: number): void {
    this.current = layer;
    if (this.#lastSeq < 0) {
      this.#seqOffset = 0;
      this.#tsOffset = 0;
      return;
    }
    this.#seqOffset = (this.#lastSeq + 1 - opened.sequence) & 0xffff;
    const gap = Math.max(1, Math.round((now - this.#lastAt) * TICKS_PER_MS));
    this.#tsOffset = (this.#lastTs + gap - opened.timestamp) >>> 0;
  }

  /** Stops forwarding (the receiver wants nothing): the next start waits for a keyframe again. */
  public pause(): void {
    this.current = -1;
  }

  /**
   * The header `opened` goes out with to this receiver: its header with payload type, sequence number, timestamp and
   * SSRC rewritten (CSRCs and header extensions kept). `inPlace`: rewritten in `opened.header` itself (no copy), for
   * a receiver whose delivery seals the packet before returning; otherwise into a copy the receiver may keep.
   */
  public rewrite(opened: OpenedRtp, payloadType: number, ssrc: number, now: number, inPlace = false): Buffer {
    const seq = (opened.sequence + this.#seqOffset) & 0xffff;
    const ts = (opened.timestamp + this.#tsOffset) >>> 0;
    const source = opened.header;
    let header = source;
    if (!inPlace) {
      header = Buffer.allocUnsafe(source.length);
      source.copy(header, 0, 0, source.length);
    }
    header[1] = (source[1]! & 0x80) | (payloadType & 0x7f);
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(ts, 4);
    header.writeUInt32BE(ssrc >>> 0, 8);
    if (this.#lastSeq < 0 || ((seq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = seq;
      this.#lastTs = ts;
      this.#lastAt = now;
    }
    const slot = seq & (HISTORY - 1);
    this.#histSeq[slot] = seq;
    this.#histOrig[slot] = (this.current << 16) | opened.sequence;
    this.#histTs[slot] = ts;
    return header;
  }

  /** The layer and original sequence number behind a forwarded sequence number, with its rewritten timestamp. */
  public lookup(seq: number): { layer: number; sequence: number; timestamp: number } | null {
    const slot = seq & (HISTORY - 1);
    if (this.#histSeq[slot] !== seq) return null;
    const orig = this.#histOrig[slot]!;
    return { layer: orig >>> 16, sequence: orig & 0xffff, timestamp: this.#histTs[slot]! };
  }

  /** The next RTX sequence number (RTX is its own stream, RFC 4588 §4). */
  public nextRtxSeq(): number {
    const seq = this.#rtxSeq;
    this.#rtxSeq = (seq + 1) & 0xffff;
    return seq;
  }
}
