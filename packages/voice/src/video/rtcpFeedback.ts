import { PacketError } from '../errors.js';

/**
 * RTCP feedback for video (RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb): generic NACK, PLI, FIR and REMB, parsed
 * out of a plaintext compound and built for sending. Every length is checked against the datagram before it is read,
 * and what a packet can make us allocate is bounded by its size (and by MAX_NACKED for the loss list).
 */

/** Transport-layer feedback (RTPFB) and payload-specific feedback (PSFB) packet types. */
export const RTPFB = 205;
export const PSFB = 206;
/** Feedback message types (FMT, the count field of the header). */
export const FMT_NACK = 1;
export const FMT_PLI = 1;
export const FMT_FIR = 4;
export const FMT_AFB = 15;
/** Sequence numbers one datagram may report lost; more are ignored (a receiver that lost more needs a keyframe). */
export const MAX_NACKED = 1024;
const REMB_ID = 0x52454d42; // "REMB"

export interface NackFeedback {
  kind: 'nack';
  /** SSRC of the receiver that sends the feedback. */
  sender: number;
  /** The media source the losses are about. */
  media: number;
  /** Lost sequence numbers, in the order reported. */
  lost: number[];
}
export interface PliFeedback {
  kind: 'pli';
  sender: number;
  media: number;
}
export interface FirFeedback {
  kind: 'fir';
  sender: number;
  /** One request per source: its SSRC and the request's sequence number. */
  entries: { ssrc: number; seq: number }[];
}
export interface RembFeedback {
  kind: 'remb';
  sender: number;
  /** The receiver's estimate of what it can receive, in bits per second. */
  bitrate: number;
  ssrcs: number[];
}
export type Feedback = NackFeedback | PliFeedback | FirFeedback | RembFeedback;

/** Whether a compound holds any RTPFB or PSFB packet (a cheap pre-check before `parseFeedback`). */
export function hasFeedback(packet: Uint8Array): boolean {
  let at = 0;
  while (at + 4 <= packet.length) {
    const type = packet[at + 1]!;
    if (type === RTPFB || type === PSFB) return true;
    at += (((packet[at + 2]! << 8) | packet[at + 3]!) + 1) * 4;
  }
  return false;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * The feedback messages of a plaintext compound RTCP datagram; other packets (SR, RR, SDES, BYE, unknown FMTs) are
 * skipped. Throws a PacketError (RTCP_TOO_SHORT, RTCP_BAD_VERSION, RTCP_BAD_LENGTH) for an inconsistent compound.
 */
export function parseFeedback(packet: Uint8Array): Feedback[] {
  const out: Feedback[] = [];
  let nacked = 0;
  let at = 0;
  while (at < packet.length) {
    if (packet.length - at < 4) throw new PacketError('RTCP_TOO_SHORT', 'truncated RTCP header');
    const b0 = packet[at]!;
    if (b0 >> 6 !== 2) throw new PacketError('RTCP_BAD_VERSION', `RTCP version ${b0 >> 6}`);
    const fmt = b0 & 0x1f;
    const type = packet[at + 1]!;
    const size = (((packet[at + 2]! << 8) | packet[at + 3]!) + 1) * 4;
    if (at + size > packet.length) throw new PacketError('RTCP_BAD_LENGTH', `RTCP length ${size} past the datagram`);
    if (type === RTPFB || type === PSFB) {
      // Common feedback header: 4 + sender SSRC + media SSRC.
      if (size < 12) throw new PacketError('RTCP_BAD_LENGTH', `feedback packet of ${size} bytes`);
      let end = at + size;
      if (b0 & 0x20) {
        const pad = packet[end - 1]!;
        if (pad === 0 || pad > size - 12) throw new PacketError('RTCP_BAD_LENGTH', `RTCP padding ${pad}`);
        end -= pad;
      }
      const sender = u32(packet, at + 4);
      const media = u32(packet, at + 8);
      const fci = at + 12;
      if (type === RTPFB && fmt === FMT_NACK) {
        const lost: number[] = [];
        for (let f = fci; f + 4 <= end && nacked < MAX_NACKED; f += 4) {
          const pid = (packet[f]! << 8) | packet[f + 1]!;
          const blp = (packet[f + 2]! << 8) | packet[f + 3]!;
          lost.push(pid);
          nacked++;
          for (let bit = 0; bit < 16 && nacked < MAX_NACKED; bit++) {
            if (blp & (1 << bit)) {
              lost.push((pid + bit + 1) & 0xffff);
              nacked++;
            }
          }
        }
        out.push({ kind: 'nack', sender, media, lost });
      } else if (type === PSFB && fmt === FMT_PLI) {
        out.push({ kind: 'pli', sender, media });
      } else if (type === PSFB && fmt === FMT_FIR) {
        const entries: FirFeedback['entries'] = [];
        for (let f = fci; f + 8 <= end; f += 8) entries.push({ ssrc: u32(packet, f), seq: packet[f + 4]! });
        out.push({ kind: 'fir', sender, entries });
      } else if (type === PSFB && fmt === FMT_AFB && end - fci >= 8 && u32(packet, fci) === REMB_ID) {
        const count = packet[fci + 4]!;
        const exp = packet[fci + 5]! >> 2;
        const mantissa = ((packet[fci + 5]! & 0x03) << 16) | (packet[fci + 6]! << 8) | packet[fci + 7]!;
        if (fci + 8 + 4 * count > end) throw new PacketError('RTCP_BAD_LENGTH', `REMB with ${count} SSRCs`);
        const ssrcs: number[] = [];
        for (let i = 0; i < count; i++) ssrcs.push(u32(packet, fci + 8 + 4 * i));
        out.push({ kind: 'remb', sender, bitrate: mantissa * 2 ** exp, ssrcs });
      }
    } else if (size < 4) throw new PacketError('RTCP_BAD_LENGTH', `RTCP packet of ${size} bytes`);
    at += size;
  }
  return out;
}

function header(fmt: number, type: number, words: number, sender: number, media: number): Buffer {
  const out = Buffer.alloc((words + 1) * 4);
  out[0] = 0x80 | fmt;
  out[1] = type;
  out.writeUInt16BE(words, 2);
  out.writeUInt32BE(sender >>> 0, 4);
  out.writeUInt32BE(media >>> 0, 8);
  return out;
}

/** Picture Loss Indication: "send me a keyframe of `media`". */
export function buildPli(sender: number, media: number): Buffer {
  return header(FMT_PLI, PSFB, 2, sender, media);
}

/** Full Intra Request for `media` with request number `seq` (0-255, incremented per new request). */
export function buildFir(sender: number, media: number, seq: number): Buffer {
  const out = header(FMT_FIR, PSFB, 4, sender, 0);
  out.writeUInt32BE(media >>> 0, 12);
  out[16] = seq & 0xff;
  return out;
}

/** Generic NACK for `lost` sequence numbers, packed as PID + bitmask of the 16 that follow. */
export function buildNack(sender: number, media: number, lost: readonly number[]): Buffer {
  const pairs: number[] = [];
  const sorted = [...new Set(lost.map((s) => s & 0xffff))].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    const pid = sorted[i]!;
    let blp = 0;
    i++;
    while (i < sorted.length && sorted[i]! - pid <= 16) {
      blp |= 1 << (sorted[i]! - pid - 1);
      i++;
    }
    pairs.push(pid, blp);
  }
  const out = header(FMT_NACK, RTPFB, 2 + pairs.length / 2, sender, media);
  for (let p = 0; p < pairs.length; p += 2) {
    out.writeUInt16BE(pairs[p]!, 12 + p * 2);
    out.writeUInt16BE(pairs[p + 1]!, 14 + p * 2);
  }
  return out;
}

/** Receiver Estimated Maximum Bitrate: `bitrate` bits/s (stored as an 18-bit mantissa and a 6-bit exponent). */
export function buildRemb(sender: number, bitrate: number, ssrcs: readonly number[]): Buffer {
  if (ssrcs.length > 255) throw new RangeError('a REMB names at most 255 SSRCs');
  let mantissa = Math.max(0, Math.floor(bitrate));
  let exp = 0;
  while (mantissa > 0x3ffff && exp < 63) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const out = header(FMT_AFB, PSFB, 4 + ssrcs.length, sender, 0);
  out.writeUInt32BE(REMB_ID, 12);
  out[16] = ssrcs.length;
  out[17] = (exp << 2) | (mantissa >> 16);
  out.writeUInt16BE(mantissa & 0xffff, 18);
  for (let i = 0; i < ssrcs.length; i++) out.writeUInt32BE(ssrcs[i]! >>> 0, 20 + 4 * i);
  return out;
}
