import { VideoRtpError } from './VideoRtpError.js';

/** NAL unit types that matter to packetization (RFC 6184 §5.2, H.264 Table 7-1). */
export const H264Nal = { Idr: 5, Sps: 7, Pps: 8, StapA: 24, FuA: 28 } as const;

const START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Splits an Annex B byte stream (NAL units behind 00 00 01 or 00 00 00 01 start codes) into NAL units. Bytes before
 * the first start code are ignored; empty NAL units are skipped.
 */
export function splitAnnexB(stream: Uint8Array): Uint8Array[] {
  const starts: { at: number; code: number }[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0) {
      if (stream[i + 2] === 1) {
        starts.push({ at: i, code: 3 });
        i += 2;
      } else if (stream[i + 2] === 0 && stream[i + 3] === 1) {
        starts.push({ at: i, code: 4 });
        i += 3;
      }
    }
  }
  const out: Uint8Array[] = [];
  for (let s = 0; s < starts.length; s++) {
    const begin = starts[s]!.at + starts[s]!.code;
    const end = s + 1 < starts.length ? starts[s + 1]!.at : stream.length;
    if (end > begin) out.push(stream.subarray(begin, end));
  }
  return out;
}

/**
 * Packetizes H.264 access units (Annex B) as RFC 6184 packetization mode 1: consecutive small NAL units share one
 * STAP-A, a NAL unit that fits goes alone (single NAL unit packet), a larger one is cut into FU-A fragments.
 */
export class H264Payloader {
  /** The payloads of one access unit, each at most `maxPayload` bytes. */
  public packetize(accessUnit: Uint8Array, maxPayload: number): Buffer[] {
    if (!(maxPayload >= 3)) throw new RangeError(`maxPayload ${maxPayload} is too small for H.264`);
    const nals = splitAnnexB(accessUnit);
    if (nals.length === 0) throw new RangeError('no NAL unit in the access unit');
    const out: Buffer[] = [];
    let batch: Uint8Array[] = [];
    let batchSize = 1;
    const flush = () => {
      if (batch.length === 1) out.push(Buffer.from(batch[0]!));
      else if (batch.length > 1) out.push(stapA(batch));
      batch = [];
      batchSize = 1;
    };
    for (const nal of nals) {
      if (nal.length + 2 + batchSize <= maxPayload) {
        batch.push(nal);
        batchSize += nal.length + 2;
        continue;
      }
      flush();
      if (nal.length + 3 <= maxPayload) {
        batch.push(nal);
        batchSize += nal.length + 2;
      } else if (nal.length <= maxPayload) out.push(Buffer.from(nal));
      else out.push(...fuA(nal, maxPayload));
    }
    flush();
    return out;
  }
}

function stapA(nals: readonly Uint8Array[]): Buffer {
  let nri = 0;
  let forbidden = 0;
  let size = 1;
  for (const nal of nals) {
    nri = Math.max(nri, nal[0]! & 0x60);
    forbidden |= nal[0]! & 0x80;
    size += 2 + nal.length;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = forbidden | nri | H264Nal.StapA;
  let at = 1;
  for (const nal of nals) {
    out.writeUInt16BE(nal.length, at);
    out.set(nal, at + 2);
    at += 2 + nal.length;
  }
  return out;
}

function fuA(nal: Uint8Array, maxPayload: number): Buffer[] {
  const header = nal[0]!;
  const room = maxPayload - 2;
  const out: Buffer[] = [];
  for (let at = 1; at < nal.length; at += room) {
    const end = Math.min(nal.length, at + room);
    const packet = Buffer.allocUnsafe(2 + end - at);
    packet[0] = (header & 0xe0) | H264Nal.FuA;
    packet[1] = (at === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | (header & 0x1f);
    packet.set(nal.subarray(at, end), 2);
    out.push(packet);
  }
  return out;
}

/** Whether an RTP payload can begin an access unit: anything but an FU-A continuation (RFC 6184). */
export function isH264FrameStart(payload: Uint8Array): boolean {
  const type = (payload[0] ?? 0) & 0x1f;
  if (payload.length < 1 || type === 0 || (type > H264Nal.StapA && type !== H264Nal.FuA)) return false;
  return type !== H264Nal.FuA || (payload.length >= 2 && (payload[1]! & 0x80) !== 0);
}

/**
 * Whether an RTP payload carries the start of an IDR slice (a keyframe): a single IDR NAL unit, a STAP-A holding one,
 * or the first FU-A fragment of one. Malformed STAP-A sizes end the scan (false), never read out of range.
 */
export function isH264Keyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type === H264Nal.Idr) return true;
  if (type === H264Nal.FuA) return payload.length >= 2 && (payload[1]! & 0x80) !== 0 && (payload[1]! & 0x1f) === 5;
  if (type !== H264Nal.StapA) return false;
  for (let at = 1; at + 2 < payload.length; ) {
    const size = (payload[at]! << 8) | payload[at + 1]!;
    if (size === 0 || at + 2 + size > payload.length) return false;
    if ((payload[at + 2]! & 0x1f) === H264Nal.Idr) return true;
    at += 2 + size;
  }
  return false;
}

/**
 * Joins the payloads of one access unit (in sequence order) into Annex B with 4-byte start codes. FU-A fragments must
 * run from a start (S) to an end (E) fragment of the same NAL type; STAP-A sizes must fit. The output is bounded by the
 * input (at most 4 start-code bytes per 3 input bytes), whatever the sizes claim.
 */
export function depacketizeH264(payloads: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  let fragment: { header: number; parts: Uint8Array[] } | null = null;
  for (const payload of payloads) {
    if (payload.length < 1) throw new VideoRtpError('H264_TOO_SHORT', 'empty H.264 payload');
    const type = payload[0]! & 0x1f;
    if (type === H264Nal.FuA) {
      if (payload.length < 2) throw new VideoRtpError('H264_TOO_SHORT', 'FU-A without FU header');
      const fu = payload[1]!;
      const nalHeader = (payload[0]! & 0xe0) | (fu & 0x1f);
      if (fu & 0x80) {
        if (fragment) throw new VideoRtpError('H264_BAD_NAL', 'FU-A start inside a fragmented NAL unit');
        fragment = { header: nalHeader, parts: [] };
      } else if (!fragment || fragment.header !== nalHeader) {
        throw new VideoRtpError('H264_BAD_NAL', 'FU-A continuation without its start');
      }
      fragment.parts.push(payload.subarray(2));
      if (fu & 0x40) {
        parts.push(START_CODE, Uint8Array.of(fragment.header), ...fragment.parts);
        fragment = null;
      }
      continue;
    }
    if (fragment) throw new VideoRtpError('H264_BAD_NAL', 'fragmented NAL unit not ended');
    if (type === H264Nal.StapA) {
      let at = 1;
      while (at < payload.length) {
        if (at + 2 > payload.length) throw new VideoRtpError('H264_TOO_SHORT', 'STAP-A size does not fit');
        const size = (payload[at]! << 8) | payload[at + 1]!;
        if (size === 0 || at + 2 + size > payload.length) {
          throw new VideoRtpError('H264_BAD_NAL', `STAP-A NAL unit of ${size} bytes does not fit`);
        }
        parts.push(START_CODE, payload.subarray(at + 2, at + 2 + size));
        at += 2 + size;
      }
      continue;
    }
    if (type === 0 || type > H264Nal.StapA) throw new VideoRtpError('H264_BAD_NAL', `NAL type ${type} not supported`);
    parts.push(START_CODE, payload);
  }
  if (fragment) throw new VideoRtpError('H264_BAD_NAL', 'fragmented NAL unit not ended');
  return Buffer.concat(parts);
}
