/**
 * The codec list of Select Protocol (voice op 1) for a WebRTC offer: the offer's Opus and VP8 payload types (and
 * VP8's RTX), which the server answers with.
 */
export function codecsOf(sdp: string): unknown[] {
  const pt = (name: string) => Number(new RegExp(`a=rtpmap:(\\d+) ${name}/`, 'i').exec(sdp)?.[1] ?? 0);
  const vp8 = pt('VP8');
  const rtx = Number(new RegExp(`a=fmtp:(\\d+) apt=${vp8}\\b`).exec(sdp)?.[1] ?? 0);
  return [
    { name: 'opus', type: 'audio', priority: 1000, payload_type: pt('opus') },
    { name: 'VP8', type: 'video', priority: 1000, payload_type: vp8, rtx_payload_type: rtx },
  ];
}
