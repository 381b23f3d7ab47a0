// Scripted speech for the speech tap's tests: tones encoded as Opus, and a transcriber that "hears" a tone's pitch.
import OpusScript from 'opusscript';
import type { Transcriber, Utterance } from '../../src/speech/Speech.js';

/** 20 ms Opus frames: `seconds` of a `frequency` tone (0: silence), stereo 48 kHz, from one encoder. */
export function opusTone(seconds: number, frequency: number, amplitude = 0.4): Buffer[] {
  const encoder = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
  try {
    const out: Buffer[] = [];
    for (let f = 0; f < Math.round(seconds * 50); f++) {
      const pcm = Buffer.alloc(960 * 4);
      for (let i = 0; i < 960; i++) {
        const v = Math.round(amplitude * 32_767 * Math.sin((2 * Math.PI * frequency * (f * 960 + i)) / 48_000));
        pcm.writeInt16LE(v, i * 4);
        pcm.writeInt16LE(v, i * 4 + 2);
      }
      out.push(Buffer.from(encoder.encode(pcm, 960)));
    }
    return out;
  } finally {
    encoder.delete();
  }
}

/** The dominant frequency of mono 48 kHz samples, from zero crossings (a pure tone's is exact enough). */
export function pitch(pcm: Int16Array): number {
  let n = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) n++;
  return n / 2 / (pcm.length / 48_000);
}

/**
 * A deterministic transcriber: a tone near 300 Hz is "hello", near 600 Hz "world", anything else "noise"; with the
 * utterance's length in tenths of a second ("hello 12"), so tests read both what and how long.
 */
export class ScriptedTranscriber implements Transcriber {
  readonly heard: Utterance[] = [];
  async transcribe(utterance: Utterance): Promise<string | null> {
    this.heard.push(utterance);
    const f = pitch(utterance.pcm);
    const word = Math.abs(f - 300) < 30 ? 'hello' : Math.abs(f - 600) < 30 ? 'world' : 'noise';
    return `${word} ${Math.round(utterance.pcm.length / 4800)}`;
  }
}
