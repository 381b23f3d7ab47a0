import { PacketError } from '../errors.js';

/** RTCP packet types (RFC 3550 §12.1). */
export const RtcpType = {
  SenderReport: 200,
  ReceiverReport: 201,
  SourceDescription: 202,
  Bye: 203,
  App: 204,
  /** Transport-layer feedback (RFC 4585): generic NACK. */
  TransportFeedback: 205,
  /** Payload-specific feedback (RFC 4585, RFC 5104): PLI, FIR, REMB. */
  PayloadFeedback: 206,
} as const;

/** Common header (4 bytes) plus the sender SSRC: the part Discord leaves in clear (and authenticates) in the AEAD modes. */
export const RTCP_CLEAR_SIZE = 8;
const REPORT_BLOCK_SIZE = 24;
/** The 5-bit report count limits one RR to 31 blocks. */
export const MAX_REPORT_BLOCKS = 31;

/** One reception report block (RFC 3550 §6.4.1): what a receiver observed of one source. */
export interface ReportBlock {
  /** The source this block is about. */
  ssrc: number;
  /** Fraction of packets lost since the previous report, as a fixed-point number over 256 (0-255). */
  fractionLost: number;
  /** Packets lost since the start, 24-bit signed (duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | sequence). */
  highestSequence: number;
  /** Interarrival jitter estimate, in RTP timestamp units (1/48000 s for Opus). */
  jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp (0: none received). */
  lastSenderReport: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSenderReport: number;
}

export interface ReceiverReport {
  type: typeof RtcpType.ReceiverReport;
  /** SSRC of the receiver that sends the report. */
  ssrc: number;
  blocks: ReportBlock[];
}

/** Any other RTCP packet in a compound: its type and sender SSRC are read, the rest is skipped. */
export interface OtherRtcp {
  type: number;
  ssrc: number;
}

export type RtcpPacket = ReceiverReport | OtherRtcp;

/**
 * True for datagrams whose second byte is an RTCP packet type: 200-204, and 205-206 (RTPFB/PSFB feedback: NACK, PLI,
 * FIR, REMB, for video). RTP payload types never reach them: Discord's are 96-127, 224-255 with the marker bit set.
 */
export function isRtcp(packet: Uint8Array): boolean {
  const pt = packet[1];
  return packet.length >= RTCP_CLEAR_SIZE && pt !== undefined && pt >= 200 && pt <= 206;
}

/** Builds one RR packet (no padding). Throws a RangeError for more than 31 blocks. */
export function buildReceiverReport(ssrc: number, blocks: readonly ReportBlock[]): Buffer {
  if (blocks.length > MAX_REPORT_BLOCKS) throw new RangeError(`an RR holds at most ${MAX_REPORT_BLOCKS} blocks`);
  const out = Buffer.alloc(RTCP_CLEAR_SIZE + REPORT_BLOCK_SIZE * blocks.length);
  out[0] = 0x80 | blocks.length;
  out[1] = RtcpType.ReceiverReport;
  out.writeUInt16BE(out.length / 4 - 1, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  let at = RTCP_CLEAR_SIZE;
  for (const b of blocks) {
    out.writeUInt32BE(b.ssrc >>> 0, at);
    out[at + 4] = Math.max(0, Math.min(255, Math.round(b.fractionLost)));
    out.writeIntBE(Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(b.cumulativeLost))), at + 5, 3);
    out.writeUInt32BE(b.highestSequence >>> 0, at + 8);
    out.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.round(b.jitter))) >>> 0, at + 12);
    out.writeUInt32BE(b.lastSenderReport >>> 0, at + 16);
    out.writeUInt32BE(b.delaySinceLastSenderReport >>> 0, at + 20);
    at += REPORT_BLOCK_SIZE;
  }
  return out;
}

/**
 * Parses a plaintext compound RTCP datagram. Every length field is checked against the buffer; anything inconsistent
 * is a PacketError (RTCP_TOO_SHORT, RTCP_BAD_VERSION, RTCP_BAD_LENGTH). Allocation is bounded by the input size.
 */
export function parseRtcp(packet: Uint8Array): RtcpPacket[] {
  if (packet.length < RTCP_CLEAR_SIZE) throw new PacketError('RTCP_TOO_SHORT', `RTCP packet of ${packet.length} bytes`);
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const out: RtcpPacket[] = [];
  let at = 0;
  while (at < packet.length) {
    if (packet.length - at < 4) throw new PacketError('RTCP_TOO_SHORT', 'truncated RTCP header');
    const b0 = packet[at]!;
    if (b0 >> 6 !== 2) throw new PacketError('RTCP_BAD_VERSION', `RTCP version ${b0 >> 6}`);
    const count = b0 & 0x1f;
    const type = packet[at + 1]!;
    const size = (view.getUint16(at + 2) + 1) * 4;
    if (at + size > packet.length) throw new PacketError('RTCP_BAD_LENGTH', `RTCP length ${size} past the datagram`);
    if (size < RTCP_CLEAR_SIZE) throw new PacketError('RTCP_BAD_LENGTH', `RTCP packet of ${size} bytes has no SSRC`);
    const ssrc = view.getUint32(at + 4);
    if (type === RtcpType.ReceiverReport) {
      let end = at + size;
      if (b0 & 0x20) {
        const pad = packet[end - 1]!;
        if (pad === 0 || pad > size - RTCP_CLEAR_SIZE) throw new PacketError('RTCP_BAD_LENGTH', `RTCP padding ${pad}`);
        end -= pad;
      }
      if (at + RTCP_CLEAR_SIZE + count * REPORT_BLOCK_SIZE > end) {
        throw new PacketError('RTCP_BAD_LENGTH', `${count} report blocks do not fit in ${size} bytes`);
      }
      const blocks: ReportBlock[] = [];
      for (let i = 0, b = at + RTCP_CLEAR_SIZE; i < count; i++, b += REPORT_BLOCK_SIZE) {
        const cum = (packet[b + 5]! << 16) | (packet[b + 6]! << 8) | packet[b + 7]!;
        blocks.push({
          ssrc: view.getUint32(b),
          fractionLost: packet[b + 4]!,
          cumulativeLost: cum & 0x800000 ? cum - 0x1000000 : cum,
          highestSequence: view.getUint32(b + 8),
          jitter: view.getUint32(b + 12),
          lastSenderReport: view.getUint32(b + 16),
          delaySinceLastSenderReport: view.getUint32(b + 20),
        });
      }
      out.push({ type: RtcpType.ReceiverReport, ssrc, blocks });
    } else out.push({ type, ssrc });
    at += size;
  }
  return out;
}
