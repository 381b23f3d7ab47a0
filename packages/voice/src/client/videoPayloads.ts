import { DEFAULT_VIDEO_PAYLOAD_TYPES, isVideoCodecName, type VideoCodecName } from '../video/rtp/videoCodecs.js';
import type { RemoteVideo } from './VideoEvents.js';
import { defaultVideoOptions, type VideoLayer, type VoiceClientVideoOptions } from './VideoOptions.js';

/**
 * The client's side of video signalling (Discord voice gateway v8, docs/protocol.md): Identify `video`/`streams`,
 * Select Protocol `codecs`, the streams Ready allocates, op 12 Video both ways and op 15 Media Sink Wants. Pure
 * functions; the payloads from the server are checked field by field before use.
 */

/** Op 15 Media Sink Wants (client → server): the quality this client wants of others' video. */
export const MEDIA_SINK_WANTS_OP = 15;

/** Codecs this client can depacketize, and so offers to receive. */
const RECEIVABLE: readonly VideoCodecName[] = ['VP8', 'H264'];

/** Identify's extra fields when video is negotiated: `video: true` and one stream per layer we send. */
export function videoIdentifyFields(video: VoiceClientVideoOptions | undefined) {
  if (!video) return {};
  const streams = (video.layers ?? []).map((l) => ({ type: l.type ?? 'video', rid: l.rid, quality: l.quality }));
  return { video: true, streams };
}

/** Select Protocol `codecs`: opus, then our video codec first (priority 1000), then the other one we can receive. */
export function selectProtocolCodecs(video: VoiceClientVideoOptions | undefined) {
  const opus = { name: 'opus', type: 'audio', priority: 1000, payload_type: 120 };
  if (!video) return [opus];
  const preferred = video.codec ?? defaultVideoOptions.codec;
  const names = [preferred, ...RECEIVABLE.filter((c) => c !== preferred)];
  return [
    opus,
    ...names.map((name, i) => ({
      name,
      type: 'video',
      priority: 1000 * (i + 1),
      payload_type: DEFAULT_VIDEO_PAYLOAD_TYPES[name].payloadType,
      rtx_payload_type: DEFAULT_VIDEO_PAYLOAD_TYPES[name].rtxPayloadType,
      encode: name === preferred,
      decode: RECEIVABLE.includes(name),
    })),
  ];
}

/** One of our layers with the SSRCs Ready allocated for it. */
export interface AllocatedLayer {
  layer: VideoLayer;
  ssrc: number;
  rtxSsrc: number;
}

function ssrcOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffffffff ? value : null;
}

/**
 * Pairs our layers with Ready's `streams` (by `rid` when the server echoes it, else by position). Layers the server
 * gave no SSRC for are left out; a Ready without streams (an audio-only server) gives none.
 */
export function readReadyStreams(streams: unknown, layers: readonly VideoLayer[]): AllocatedLayer[] {
  if (!Array.isArray(streams)) return [];
  const out: AllocatedLayer[] = [];
  const used = new Set<number>();
  layers.forEach((layer, i) => {
    let index = streams.findIndex((s, j) => !used.has(j) && (s as { rid?: unknown })?.rid === layer.rid);
    if (index < 0 && !used.has(i)) index = i;
    const entry = streams[index] as { ssrc?: unknown; rtx_ssrc?: unknown } | undefined;
    const ssrc = ssrcOf(entry?.ssrc);
    if (!entry || ssrc === null) return;
    used.add(index);
    out.push({ layer, ssrc, rtxSsrc: ssrcOf(entry.rtx_ssrc) ?? 0 });
  });
  return out;
}

/** Op 12 announcing our camera: every allocated layer `active`, or (off) SSRC 0 and every stream inactive. */
export function videoPayload(audioSsrc: number, layers: readonly AllocatedLayer[], active: boolean) {
  const first = layers[0];
  return {
    audio_ssrc: audioSsrc,
    video_ssrc: active && first ? first.ssrc : 0,
    rtx_ssrc: active && first ? first.rtxSsrc : 0,
    streams: layers.map((l) => ({
      type: l.layer.type ?? 'video',
      rid: l.layer.rid,
      ssrc: l.ssrc,
      rtx_ssrc: l.rtxSsrc,
      active,
      quality: l.layer.quality,
      max_bitrate: l.layer.maxBitrate,
      max_framerate: l.layer.maxFramerate,
      max_resolution: { type: 'fixed', width: l.layer.width, height: l.layer.height },
    })),
  };
}

/** A relayed op 12 (another member's camera), or null when it names no user. */
export function readRemoteVideo(d: Record<string, unknown>): RemoteVideo | null {
  if (typeof d.user_id !== 'string') return null;
  const streams = (Array.isArray(d.streams) ? d.streams.slice(0, 16) : []).map((s) => {
    const e = (s ?? {}) as Record<string, unknown>;
    return {
      rid: typeof e.rid === 'string' ? e.rid : null,
      ssrc: ssrcOf(e.ssrc) ?? 0,
      rtxSsrc: ssrcOf(e.rtx_ssrc) ?? 0,
      active: e.active === true,
      quality: typeof e.quality === 'number' ? e.quality : null,
    };
  });
  const videoSsrc = ssrcOf(d.video_ssrc) ?? 0;
  return {
    userId: d.user_id,
    audioSsrc: ssrcOf(d.audio_ssrc) ?? 0,
    videoSsrc,
    rtxSsrc: ssrcOf(d.rtx_ssrc) ?? 0,
    active: videoSsrc !== 0 && (streams.length === 0 || streams.some((s) => s.active)),
    streams,
  };
}

/** Session Description's `video_codec`, when it names one we know. */
export function readVideoCodec(d: Record<string, unknown>): VideoCodecName | null {
  return isVideoCodecName(d.video_codec) ? d.video_codec : null;
}

/** Op 15: `{any: quality}`, or the quality wanted of one SSRC. */
export function mediaSinkWantsPayload(quality: number, ssrc?: number): Record<string, number> {
  const q = Math.max(0, Math.min(100, Math.round(quality)));
  return ssrc === undefined ? { any: q } : { [String(ssrc)]: q };
}
