// What the page puts in its voice gateway commands (docs/protocol.md): Select Protocol's codec list, read from the
// offer, and op 12 Video, which tells the others whether my video is on and on which SSRC the server gave me.

/** Ready (voice op 2), as far as the page reads it: my audio SSRC and the video streams allocated for me. */
export interface Ready {
  ssrc: number;
  streams?: { type?: string; rid?: string; ssrc: number; rtx_ssrc?: number }[];
}

/** The codec list of Select Protocol: the offer's Opus and VP8 payload types (and VP8's RTX). */
export function codecsOf(sdp: string): unknown[] {
  const pt = (name: string) => Number(new RegExp(`a=rtpmap:(\\d+) ${name}/`, 'i').exec(sdp)?.[1] ?? 0);
  const vp8 = pt('VP8');
  const rtx = Number(new RegExp(`a=fmtp:(\\d+) apt=${vp8}\\b`).exec(sdp)?.[1] ?? 0);
  return [
    { name: 'opus', type: 'audio', priority: 1000, payload_type: pt('opus') },
    { name: 'VP8', type: 'video', priority: 1000, payload_type: vp8, rtx_payload_type: rtx },
  ];
}

/** Op 12 Video for my video state: `video_ssrc` 0 and the stream inactive when it is off. */
export function videoPayload(
  ready: Ready | null,
  video: 'off' | 'camera' | 'screen',
  settings: MediaTrackSettings | undefined,
): unknown {
  const stream = ready?.streams?.[0];
  const active = video !== 'off' && stream !== undefined;
  return {
    audio_ssrc: ready?.ssrc ?? 0,
    video_ssrc: active ? stream.ssrc : 0,
    rtx_ssrc: active ? (stream.rtx_ssrc ?? 0) : 0,
    streams: stream
      ? [
          {
            type: video === 'screen' ? 'screen' : 'video',
            rid: stream.rid ?? '100',
            ssrc: stream.ssrc,
            rtx_ssrc: stream.rtx_ssrc ?? 0,
            active,
            quality: 100,
            max_bitrate: 2_500_000,
            max_framerate: 30,
            max_resolution: { type: 'fixed', width: settings?.width ?? 1280, height: settings?.height ?? 720 },
          },
        ]
      : [],
  };
}
