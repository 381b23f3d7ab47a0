// Speech backends and the speech tap (issue #20, accessibility): how fast the local engines run on this machine, as
// real-time factors (processing time ÷ audio duration; below 1 keeps up with speech), and what the tap costs per
// 20 ms frame (Opus decode + fold to mono + energy VAD) on the media path. espeak-ng (Debian's `espeak-ng`) speaks a
// ~10 s paragraph; PocketSphinx (Debian's `pocketsphinx`, `pocketsphinx-en-us`) recognizes it, with the general US
// English language model and with a small JSGF grammar (__tests__/fixtures/speech/commands.gram). Medians of runs.
// Run: node --import tsx packages/voice/bench/speech.ts [--quick]
import { fileURLToPath } from 'node:url';
import OpusScript from 'opusscript';
import { EspeakSynthesizer } from '../src/speech/EspeakSynthesizer.js';
import { PocketsphinxTranscriber } from '../src/speech/PocketsphinxTranscriber.js';
import { SpeechTap } from '../src/speech/SpeechTap.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const TEXT =
  'Welcome to the arena. The match starts in one minute. Red team defends the north gate, blue team attacks from ' +
  'the river. Remember to stay with your squad, and report anyone who cheats. Good luck, and have fun.';
const grammar = fileURLToPath(new URL('../__tests__/fixtures/speech/commands.gram', import.meta.url));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

const tts = new EspeakSynthesizer();
const speech: number[] = [];
let stereo: Int16Array = new Int16Array(0);
for (let i = 0; i < RUNS; i++) {
  const { ms, value } = await timed(() => tts.synthesize(TEXT));
  speech.push(ms);
  stereo = value;
}
const seconds = stereo.length / 96_000;
const mono = new Int16Array(stereo.length / 2);
for (let i = 0; i < mono.length; i++) mono[i] = stereo[2 * i]!;
console.log(`audio: ${seconds.toFixed(2)} s of speech (${TEXT.length} characters)`);
console.log(
  `espeak-ng synthesize: median ${median(speech).toFixed(0)} ms, RTF ${(median(speech) / 1000 / seconds).toFixed(3)}`,
);

const utterance = { guildId: 'g', channelId: 'c', userId: 'u', sampleRate: 48_000 as const, from: 0, to: 0, pcm: mono };
for (const [name, stt] of [
  ['language model', new PocketsphinxTranscriber()],
  ['grammar', new PocketsphinxTranscriber({ grammar })],
] as const) {
  const runs: number[] = [];
  let text: string | null = null;
  for (let i = 0; i < RUNS; i++) {
    const { ms, value } = await timed(() => stt.transcribe(utterance));
    runs.push(ms);
    text = value;
  }
  const m = median(runs);
  console.log(`pocketsphinx (${name}): median ${m.toFixed(0)} ms, RTF ${(m / 1000 / seconds).toFixed(3)}: "${text}"`);
}

// The tap on the media path: frames of the synthesized speech, encoded once, fed to a tap with a transcriber that
// answers at once (its cost is the backend's, above).
const encoder = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
const frames: Buffer[] = [];
for (let f = 0; f + 1920 <= stereo.length; f += 1920) {
  const pcm = Buffer.from(stereo.buffer, stereo.byteOffset + f * 2, 3840);
  frames.push(Buffer.from(encoder.encode(pcm, 960)));
}
encoder.delete();
const perFrame: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let now = 0;
  const tap = new SpeechTap(() => {}, { now: () => now });
  tap.setRoom('g:c', { guildId: 'g', channelId: 'c', transcriber: { transcribe: async () => null } });
  const start = performance.now();
  for (const frame of frames) {
    tap.hear('g:c', 'u', frame);
    now += 20;
  }
  perFrame.push(((performance.now() - start) * 1000) / frames.length);
  tap.close();
}
console.log(
  `speech tap: median ${median(perFrame).toFixed(1)} µs per 20 ms frame per speaker (${frames.length} frames; ` +
    `${((median(perFrame) / 20_000) * 100).toFixed(2)} % of one core per speaker)`,
);
