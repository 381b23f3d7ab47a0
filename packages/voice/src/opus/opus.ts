import OpusScript from 'opusscript';

/** Discord's Opus format: 48 kHz, stereo, 20 ms frames. */
export const OPUS_SAMPLE_RATE = 48_000;
export const OPUS_CHANNELS = 2;
/** Samples per channel in one 20 ms frame; also the RTP timestamp step. */
export const OPUS_FRAME_SAMPLES = 960;
/** Bytes of interleaved s16le PCM in one frame (960 × 2 channels × 2 bytes). */
export const PCM_FRAME_BYTES = OPUS_FRAME_SAMPLES * OPUS_CHANNELS * 2;
/** The Opus silence frame clients send (five of them) before pausing. */
export const SILENCE_FRAME: Readonly<Buffer> = Buffer.from([0xf8, 0xff, 0xfe]);

// libopus request numbers (opus_defines.h).
const OPUS_SET_BITRATE = 4002;
const OPUS_SET_INBAND_FEC = 4012;
const OPUS_SET_PACKET_LOSS_PERC = 4014;

export interface OpusCodec {
  /** Encodes one 20 ms frame of interleaved s16le stereo PCM (3840 bytes). */
  encode(pcm: Buffer): Buffer;
  /** Decodes one Opus packet to interleaved s16le stereo PCM. */
  decode(packet: Buffer): Buffer;
  /** Applies encoder settings through libopus CTLs (OPUS_SET_BITRATE, _INBAND_FEC, _PACKET_LOSS_PERC). */
  configure(settings: { bitrate?: number; fec?: boolean; packetLossPercent?: number }): void;
  delete(): void;
}

/** An Opus encoder + decoder (opusscript: libopus compiled to WebAssembly, no native build). */
export function createOpusCodec(application: 'audio' | 'voip' = 'audio'): OpusCodec {
  const app = application === 'audio' ? OpusScript.Application.AUDIO : OpusScript.Application.VOIP;
  const opus = new OpusScript(OPUS_SAMPLE_RATE, OPUS_CHANNELS, app);
  return {
    encode: (pcm) => {
      if (pcm.length !== PCM_FRAME_BYTES) throw new RangeError(`a frame is ${PCM_FRAME_BYTES} bytes of PCM`);
      return Buffer.from(opus.encode(pcm, OPUS_FRAME_SAMPLES));
    },
    decode: (packet) => Buffer.from(opus.decode(packet)),
    configure: (settings) => {
      if (settings.bitrate !== undefined) opus.encoderCTL(OPUS_SET_BITRATE, Math.round(settings.bitrate));
      if (settings.fec !== undefined) opus.encoderCTL(OPUS_SET_INBAND_FEC, settings.fec ? 1 : 0);
      if (settings.packetLossPercent !== undefined) {
        opus.encoderCTL(OPUS_SET_PACKET_LOSS_PERC, Math.max(0, Math.min(100, Math.round(settings.packetLossPercent))));
      }
    },
    delete: () => opus.delete(),
  };
}
