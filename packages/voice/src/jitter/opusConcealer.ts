/** The part of an Opus decoder the concealer needs (opusscript's `OpusScript` fits). */
export interface OpusLikeDecoder {
  decode(packet: Uint8Array): Uint8Array;
}

/**
 * Opus packet-loss concealment through the caller's decoder, for the jitter buffer's `conceal` option.
 *
 * libopus runs its PLC when asked to decode an empty packet. opusscript 0.0.8 reaches it with `decode(empty)`, but its
 * wrapper always passes the maximum frame size, so one call conceals 60 ms (2880 samples per channel), not one frame,
 * and the decoder's state advances by 60 ms. We return the first frame of it; the extra 40 ms only make the next real
 * frame's crossfade start from a more attenuated state. opusscript exposes no in-band FEC (`decode_fec`) either.
 * Use the same decoder instance that decodes the stream: PLC extrapolates from its state.
 */
export function createOpusConcealer(
  decoder: OpusLikeDecoder,
  opts: { frameSamples?: number; channels?: number } = {},
): (lostFrames: number) => Int16Array {
  const samples = (opts.frameSamples ?? 960) * (opts.channels ?? 2);
  return () => {
    const pcm = decoder.decode(new Uint8Array(0));
    const out = new Int16Array(samples);
    const n = Math.min(samples, pcm.byteLength >> 1);
    const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
    return out;
  };
}
