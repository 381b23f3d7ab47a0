import { PacketError } from '../errors.js';

/** RTP fixed header size (RFC 3550 §5.1). */
export const RTP_HEADER_SIZE = 12;
/** Discord's RTP payload type for Opus (0x78 = 120). */
export const OPUS_PAYLOAD_TYPE = 0x78;

export interface RtpHeader {
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
}

/** Where the parts of an RTP packet sit, as offsets into the packet (all in bytes). */
export interface RtpLayout {
  header: RtpHeader;
  /** End of the fixed header plus CSRC list: 12 + 4·CC. */
  csrcEnd: number;
  /** Offset of the extension body (after the 4-byte preamble) or `csrcEnd` when X=0. */
  extensionBodyStart: number;
  /** Extension body length in bytes (4 × the preamble's length field), 0 when X=0. */
  extensionBodyLength: number;
  /** 16-bit profile of the extension (0xBEDE for RFC 8285 one-byte headers), 0 when X=0. */
  extensionProfile: number;
  /** Offset of the payload. */
  payloadStart: number;
  /** End of the payload (padding removed). */
  payloadEnd: number;
}

/** Reads the 12-byte fixed header; throws a PacketError when it is not RTP version 2. */
export function readRtpFixedHeader(packet: Uint8Array): Omit<RtpHeader, 'csrcs'> {
  if (packet.length < RTP_HEADER_SIZE) throw new PacketError('RTP_TOO_SHORT', `RTP packet of ${packet.length} bytes`);
  const b0 = packet[0]!;
  const b1 = packet[1]!;
  if (b0 >> 6 !== 2) throw new PacketError('RTP_BAD_VERSION', `RTP version ${b0 >> 6}`);
  return {
    padding: (b0 & 0x20) !== 0,
    extension: (b0 & 0x10) !== 0,
    csrcCount: b0 & 0x0f,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: (packet[2]! << 8) | packet[3]!,
    timestamp: ((packet[4]! << 24) | (packet[5]! << 16) | (packet[6]! << 8) | packet[7]!) >>> 0,
    ssrc: ((packet[8]! << 24) | (packet[9]! << 16) | (packet[10]! << 8) | packet[11]!) >>> 0,
  };
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/**
 * Parses a whole plaintext RTP packet: CSRC list, header extension and padding. Every length is checked against the
 * packet, so a lying header gives a PacketError, never an out-of-range read.
 */
export function parseRtpPacket(packet: Uint8Array): RtpLayout {
  const fixed = readRtpFixedHeader(packet);
  const csrcEnd = RTP_HEADER_SIZE + 4 * fixed.csrcCount;
  if (packet.length < csrcEnd) throw new PacketError('RTP_BAD_CSRC', `${fixed.csrcCount} CSRCs do not fit`);
  const csrcs: number[] = [];
  for (let at = RTP_HEADER_SIZE; at < csrcEnd; at += 4) csrcs.push(u32(packet, at));
  let extensionBodyStart = csrcEnd;
  let extensionBodyLength = 0;
  let extensionProfile = 0;
  if (fixed.extension) {
    if (packet.length < csrcEnd + 4) throw new PacketError('RTP_BAD_EXTENSION', 'extension preamble does not fit');
    extensionProfile = (packet[csrcEnd]! << 8) | packet[csrcEnd + 1]!;
    extensionBodyLength = 4 * ((packet[csrcEnd + 2]! << 8) | packet[csrcEnd + 3]!);
    extensionBodyStart = csrcEnd + 4;
    if (packet.length < extensionBodyStart + extensionBodyLength) {
      throw new PacketError('RTP_BAD_EXTENSION', 'extension body does not fit');
    }
  }
  const payloadStart = extensionBodyStart + extensionBodyLength;
  const payloadEnd = stripPadding(packet, payloadStart, packet.length, fixed.padding);
  return {
    header: { ...fixed, csrcs },
    csrcEnd,
    extensionBodyStart,
    extensionBodyLength,
    extensionProfile,
    payloadStart,
    payloadEnd,
  };
}

/** Returns the end of the payload once RTP padding (last byte = padding count, itself included) is removed. */
export function stripPadding(buf: Uint8Array, start: number, end: number, padding: boolean): number {
  if (!padding) return end;
  if (end <= start) throw new PacketError('RTP_BAD_PADDING', 'padding flag set on an empty payload');
  const count = buf[end - 1]!;
  if (count === 0 || count > end - start) throw new PacketError('RTP_BAD_PADDING', `padding count ${count}`);
  return end - count;
}

/** Length of the part an `_rtpsize` mode keeps in clear (and authenticates): 12 + 4·CC, + 4 when X=1. */
export function rtpsizeClearLength(packet: Uint8Array): number {
  const fixed = readRtpFixedHeader(packet);
  const length = RTP_HEADER_SIZE + 4 * fixed.csrcCount + (fixed.extension ? 4 : 0);
  if (packet.length < length) throw new PacketError('RTP_BAD_CSRC', 'clear header does not fit');
  return length;
}

export interface RtpHeaderInit {
  sequence: number;
  timestamp: number;
  ssrc: number;
  payloadType?: number;
  marker?: boolean;
  csrcs?: readonly number[];
  /** Extension profile and body (body length must be a multiple of 4). */
  extension?: { profile: number; body: Uint8Array };
}

/** Builds an RTP header (fixed part, CSRCs, extension preamble and body); padding is never added. */
export function buildRtpHeader(init: RtpHeaderInit): Buffer {
  const csrcs = init.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  const ext = init.extension;
  if (ext && (ext.body.length % 4 !== 0 || ext.body.length > 0xffff * 4)) {
    throw new RangeError('extension body must be a multiple of 4 bytes');
  }
  const size = RTP_HEADER_SIZE + 4 * csrcs.length + (ext ? 4 + ext.body.length : 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = 0x80 | (ext ? 0x10 : 0) | csrcs.length;
  out[1] = ((init.marker ? 0x80 : 0) | (init.payloadType ?? OPUS_PAYLOAD_TYPE)) & 0xff;
  out.writeUInt16BE(init.sequence & 0xffff, 2);
  out.writeUInt32BE(init.timestamp >>> 0, 4);
  out.writeUInt32BE(init.ssrc >>> 0, 8);
  let at = RTP_HEADER_SIZE;
  for (const c of csrcs) {
    out.writeUInt32BE(c >>> 0, at);
    at += 4;
  }
  if (ext) {
    out.writeUInt16BE(ext.profile & 0xffff, at);
    out.writeUInt16BE(ext.body.length / 4, at + 2);
    out.set(ext.body, at + 4);
  }
  return out;
}
