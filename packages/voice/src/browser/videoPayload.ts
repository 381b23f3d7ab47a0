import type { VoiceReady } from './VoiceReady.js';

/**
 * Voice op 12 Video for this client's video state, on the stream the server gave it in Ready: `video_ssrc` 0 and the
 * stream inactive when video is off. Sent even without video: it tells the others which audio SSRC is whose.
 */
export function videoPayload(
  ready: VoiceReady | null,
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
