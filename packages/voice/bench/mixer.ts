// Server mixer cost: one 20 ms tick = decode each speaker once, then mix, soft-clip, Opus-encode and seal per listener.
// Run: node --expose-gc --import tsx packages/voice/bench/mixer.ts
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import OpusScript from 'opusscript';
import { PacketCipher } from '../src/crypto/PacketCipher.js';
import { Mixer } from '../src/mixer/Mixer.js';
import { createOpusCodec, OPUS_FRAME_SAMPLES } from '../src/opus/opus.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';

const SPEAKERS = 3;
const LISTENERS = 10;
const key = new Uint8Array(32).fill(1);

function tone(frequency: number, frame: number): Buffer {
  const pcm = Buffer.alloc(OPUS_FRAME_SAMPLES * 4);
  for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
    const n = frame * OPUS_FRAME_SAMPLES + i;
    const v = Math.round(8000 * Math.sin((2 * Math.PI * frequency * n) / 48_000));
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(v, i * 4 + 2);
  }
  return pcm;
}

function setup(positional: boolean) {
  const sfu = new Sfu(() => {});
  const mixer = new Mixer(sfu, () => {});
  if (positional) sfu.setPositional('r', { range: 100 });
  const member = (ssrc: number, mixed: boolean): SfuMember => {
    const m: SfuMember = {
      userId: `u${ssrc}`,
      ssrc,
      room: 'r',
      mode: 'aead_aes256_gcm_rtpsize',
      cipher: new PacketCipher('aead_aes256_gcm_rtpsize', key),
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
      mixed,
      position: { x: ssrc % 7, y: ssrc % 5 },
    };
    sfu.add(m);
    sfu.bindRemote(m, '10.0.0.1', ssrc);
    return m;
  };
  const speakers = Array.from({ length: SPEAKERS }, (_, i) => member(1 + i, false));
  for (let i = 0; i < LISTENERS; i++) member(100 + i, true);
  // 50 frames (1 s) of speech-like tones per speaker, encoded once.
  const codec = createOpusCodec();
  const frames = speakers.map((_, s) => Array.from({ length: 50 }, (_, f) => codec.encode(tone(200 + 150 * s, f))));
  codec.delete();
  let f = 0;
  const tick = () => {
    for (let s = 0; s < SPEAKERS; s++) mixer.ingest(speakers[s]!, frames[s]![f % 50]!);
    f++;
    mixer.tick();
  };
  return { tick, mixer };
}

const encoder = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
const pcm = tone(440, 0);
// As many encodes per call as a tick has listeners, so both sides count listener-frames.
const bareEncode = () => {
  for (let i = 0; i < LISTENERS; i++) encoder.encode(pcm, OPUS_FRAME_SAMPLES);
};

const rows: Comparison[] = [];
const timing = { rounds: 5, timeMs: 300, warmupMs: 200 };
for (const positional of [false, true]) {
  // One setup alive at a time: opusscript breaks past ~20 live codec instances per process (see README limits).
  const { tick, mixer } = setup(positional);
  rows.push(
    compareOps({
      bench: `voice.mixer.${positional ? 'positional' : 'plain'}`,
      against: 'bare-opus-encode',
      ours: tick,
      baseline: bareEncode,
      // One tick produces one frame per listener; one baseline call encodes as many frames.
      opsPerCall: LISTENERS,
      ...timing,
    }),
  );
  if (mixer.stats.codecErrors > 0) throw new Error(`${mixer.stats.codecErrors} codec errors`);
  mixer.destroy();
}
const plain = rows[0]!;
rows.push(
  comparison(
    'voice.mixer.realtime-listeners-per-core',
    'listeners',
    Math.round(plain.ours / 50),
    Math.round(plain.baseline / 50),
    'bare-opus-encode',
  ),
);
report(`Server mixer: ${SPEAKERS} speakers → ${LISTENERS} mixed listeners, per listener-frame`, rows, [
  'ops/s = listener-frames per second (each = one 20 ms mixed frame for one listener, decode share included)',
  'real-time listeners per core = listener-frames/s ÷ 50 frames/s',
  'baseline: encoding the same number of frames with opusscript alone, the floor of any per-listener mix',
]);
encoder.delete();
