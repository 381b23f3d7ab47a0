import type { VideoCodecName } from './keyframe.js';

/** One codec as a client numbers it (Select Protocol `codecs`). */
export interface CodecEntry {
  name: string;
  type: 'audio' | 'video';
  priority: number;
  payloadType: number;
  /** RTX payload type (video); null when the client did not give one. */
  rtxPayloadType: number | null;
}

/** Payload types of one member: by video codec name, and back. */
export interface CodecTable {
  /** Video codec name → payload type and RTX payload type. */
  video: Map<VideoCodecName, { pt: number; rtx: number | null }>;
  /** Payload type → video codec name (RTX payload types are not in it). */
  byPt: Map<number, VideoCodecName>;
}

export const VIDEO_CODECS: readonly VideoCodecName[] = ['H264', 'VP8', 'VP9', 'AV1'];

/** Discord's defaults, used for a member that sent no codec list. */
export const DEFAULT_PAYLOAD_TYPES: Readonly<Record<VideoCodecName, { pt: number; rtx: number }>> = {
  H264: { pt: 101, rtx: 102 },
  VP8: { pt: 103, rtx: 104 },
  VP9: { pt: 105, rtx: 106 },
  AV1: { pt: 107, rtx: 108 },
};

export function isVideoCodec(name: unknown): name is VideoCodecName {
  return typeof name === 'string' && (VIDEO_CODECS as readonly string[]).includes(name);
}

/** The table of a member that sent no codecs: Discord's default payload types. */
export function defaultCodecTable(): CodecTable {
  const table: CodecTable = { video: new Map(), byPt: new Map() };
  for (const name of VIDEO_CODECS) {
    const { pt, rtx } = DEFAULT_PAYLOAD_TYPES[name];
    table.video.set(name, { pt, rtx });
    table.byPt.set(pt, name);
  }
  return table;
}

/** The table of a member's codec list (video codecs we do not forward are left out). */
export function codecTable(entries: readonly CodecEntry[]): CodecTable {
  const table: CodecTable = { video: new Map(), byPt: new Map() };
  for (const entry of entries) {
    if (entry.type !== 'video' || !isVideoCodec(entry.name) || table.video.has(entry.name)) continue;
    table.video.set(entry.name, { pt: entry.payloadType, rtx: entry.rtxPayloadType });
    table.byPt.set(entry.payloadType, entry.name);
  }
  return table;
}

/** The video codec a member prefers: the lowest `priority` among the video codecs we forward (ties: list order). */
export function preferredVideoCodec(entries: readonly CodecEntry[]): VideoCodecName | null {
  let best: CodecEntry | null = null;
  for (const entry of entries) {
    if (entry.type === 'video' && isVideoCodec(entry.name) && (best === null || entry.priority < best.priority)) {
      best = entry;
    }
  }
  return best ? (best.name as VideoCodecName) : null;
}
