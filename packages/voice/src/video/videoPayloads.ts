import { VoiceCloseCode } from '@concord/protocol';
import { Refusal } from '../server/payloads.js';
import type { CodecEntry } from './codecs.js';
import type { AnnouncedStream, RequestedStream, SinkWants, VideoAnnouncement } from './videoTypes.js';

export type { AnnouncedStream, RequestedStream, SinkWants, StreamType, VideoAnnouncement } from './videoTypes.js';

/**
 * Validation of the video parts of what voice clients send: Identify `video`/`streams`, Select Protocol `codecs`,
 * Video (op 12) and Media Sink Wants (op 15). Pure, like server/payloads.ts: each returns the data or a Refusal, and
 * every list and string is bounded before anything is built from it.
 */

/**
 * Media Sink Wants, voice op 15 (client → server). Also `VoiceOpcode.MediaSinkWants` in @concord/protocol; kept here
 * so that the voice package does not depend on a protocol build that has it.
 */
export const MEDIA_SINK_WANTS_OP = 15;

/** Simulcast layers (streams) one member may ask for. */
export const MAX_STREAMS = 4;
/** Codec entries in one Select Protocol. */
export const MAX_CODECS = 16;
/** Entries in one Media Sink Wants. */
export const MAX_SINK_WANTS = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

function isRid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 8;
}

const bad = (what: string) => new Refusal(VoiceCloseCode.BadRequest, `bad ${what}`);

/**
 * Identify's video request: `streams` (one entry per simulcast layer), or `video: true` alone for one full-quality
 * stream. Null when the client asked for no video (it still receives others' video).
 */
export function parseIdentifyStreams(d: Record<string, unknown>): RequestedStream[] | null | Refusal {
  const streams = d.streams;
  if (streams === undefined || streams === null) {
    return d.video === true ? [{ type: 'video', rid: '100', quality: 100 }] : null;
  }
  if (!Array.isArray(streams) || streams.length > MAX_STREAMS) return bad('streams');
  if (streams.length === 0) return d.video === true ? [{ type: 'video', rid: '100', quality: 100 }] : null;
  const out: RequestedStream[] = [];
  for (const s of streams) {
    if (!isObject(s)) return bad('stream');
    const type = s.type ?? 'video';
    const quality = s.quality ?? 100;
    if ((type !== 'video' && type !== 'screen') || !isInt(quality, 0, 100)) return bad('stream');
    const rid = s.rid ?? String(quality);
    if (!isRid(rid)) return bad('stream rid');
    out.push({ type, rid, quality });
  }
  return out;
}

/** Select Protocol `codecs`: undefined when absent; payload types 96-127, no payload type used twice. */
export function parseCodecs(value: unknown): CodecEntry[] | undefined | Refusal {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_CODECS) return bad('codecs');
  const used = new Set<number>();
  const out: CodecEntry[] = [];
  for (const c of value) {
    if (!isObject(c) || typeof c.name !== 'string' || c.name.length === 0 || c.name.length > 16) return bad('codec');
    if (c.type !== 'audio' && c.type !== 'video') return bad('codec type');
    const priority = c.priority ?? 0;
    if (!isInt(priority, 0, 1_000_000) || !isInt(c.payload_type, 96, 127)) return bad('codec payload type');
    const rtx = c.rtx_payload_type ?? null;
    if (rtx !== null && !isInt(rtx, 96, 127)) return bad('codec rtx payload type');
    if (used.has(c.payload_type) || (rtx !== null && (used.has(rtx) || rtx === c.payload_type))) {
      return bad('codecs (payload type used twice)');
    }
    used.add(c.payload_type);
    if (rtx !== null) used.add(rtx);
    out.push({ name: c.name, type: c.type, priority, payloadType: c.payload_type, rtxPayloadType: rtx });
  }
  return out;
}

/**
 * Video (op 12). Every SSRC must be 0 or one the server allocated to this member (`allocated`, in Ready order), and
 * each stream's RTX SSRC the one allocated with its SSRC: a member cannot announce (and so have forwarded, or
 * mislabel) someone else's media.
 */
export function parseVideo(
  d: unknown,
  audioSsrc: number,
  allocated: readonly { ssrc: number; rtxSsrc: number }[],
): VideoAnnouncement | Refusal {
  if (!isObject(d)) return bad('video');
  const audio = d.audio_ssrc ?? audioSsrc;
  const video = d.video_ssrc ?? 0;
  const rtx = d.rtx_ssrc ?? 0;
  if (!isInt(audio, 0, 0xffffffff) || !isInt(video, 0, 0xffffffff) || !isInt(rtx, 0, 0xffffffff)) {
    return bad('video ssrc');
  }
  if (audio !== 0 && audio !== audioSsrc) return bad('video audio_ssrc');
  const first = allocated[0];
  if (video !== 0 && video !== first?.ssrc) return bad('video video_ssrc');
  if (rtx !== 0 && rtx !== first?.rtxSsrc) return bad('video rtx_ssrc');
  const list = d.streams ?? [];
  if (!Array.isArray(list) || list.length > MAX_STREAMS) return bad('video streams');
  const streams: AnnouncedStream[] = [];
  const seen = new Set<number>();
  for (const s of list) {
    if (!isObject(s)) return bad('video stream');
    const type = s.type ?? 'video';
    const quality = s.quality ?? 100;
    const ssrc = s.ssrc;
    const own = allocated.find((a) => a.ssrc === ssrc);
    const streamRtx = s.rtx_ssrc ?? own?.rtxSsrc ?? 0;
    if ((type !== 'video' && type !== 'screen') || !isInt(quality, 0, 100)) return bad('video stream');
    if (!own || seen.has(own.ssrc) || (streamRtx !== 0 && streamRtx !== own.rtxSsrc)) return bad('video stream ssrc');
    seen.add(own.ssrc);
    const rid = s.rid ?? String(quality);
    if (!isRid(rid)) return bad('video stream rid');
    const stream: AnnouncedStream = {
      type,
      rid,
      ssrc: own.ssrc,
      rtx_ssrc: own.rtxSsrc,
      active: s.active === true,
      quality,
    };
    if (s.max_bitrate !== undefined) {
      if (!isInt(s.max_bitrate, 0, 100_000_000)) return bad('video max_bitrate');
      stream.max_bitrate = s.max_bitrate;
    }
    if (s.max_framerate !== undefined) {
      if (!isInt(s.max_framerate, 0, 240)) return bad('video max_framerate');
      stream.max_framerate = s.max_framerate;
    }
    if (s.max_resolution !== undefined) {
      const r = s.max_resolution;
      if (!isObject(r) || !isInt(r.width, 0, 8192) || !isInt(r.height, 0, 8192)) return bad('video max_resolution');
      const kind = r.type === 'source' ? 'source' : 'fixed';
      stream.max_resolution = { type: kind, width: r.width, height: r.height };
    }
    streams.push(stream);
  }
  return { audio_ssrc: audio === 0 ? 0 : audioSsrc, video_ssrc: video, rtx_ssrc: rtx, streams };
}

/** Media Sink Wants (op 15): `{"any": q}` and/or `{"<ssrc>": q}`, q from 0 (nothing) to 100 (best). */
export function parseSinkWants(d: unknown): SinkWants | Refusal {
  if (!isObject(d)) return bad('media sink wants');
  const keys = Object.keys(d);
  if (keys.length > MAX_SINK_WANTS) return bad('media sink wants');
  const wants: SinkWants = { any: null, bySsrc: new Map() };
  for (const key of keys) {
    const value = d[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= 100)) return bad('media sink wants quality');
    const quality = Math.round(value);
    if (key === 'any') wants.any = quality;
    else if (/^[0-9]{1,10}$/.test(key) && Number(key) <= 0xffffffff) wants.bySsrc.set(Number(key), quality);
    else return bad('media sink wants ssrc');
  }
  return wants;
}
