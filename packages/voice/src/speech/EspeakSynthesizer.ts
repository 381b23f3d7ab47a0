import { spawn } from 'node:child_process';
import { toStereo48k } from './resample.js';
import type { Synthesizer } from './Speech.js';

export interface EspeakSynthesizerOptions {
  /** The binary (default `espeak-ng` on the PATH; Debian's package `espeak-ng`, .ci/services/espeak.sh). */
  bin?: string;
  /** An espeak-ng voice (default `en-us`). */
  voice?: string;
  /** Speed, words per minute (default 160; 80–450). */
  wordsPerMinute?: number;
  /** Longest text spoken, characters (default 1000); longer text is cut there. */
  maxChars?: number;
  /** The process is killed after this long, ms (default 10 000). */
  timeoutMs?: number;
}

/** Longest audio read back (seconds at espeak-ng's 22 050 Hz): bounds memory whatever the process writes. */
const MAX_SECONDS = 120;

/**
 * Text to speech with eSpeak NG (a formant synthesizer: small, fast, robotic). The text goes on standard input, never
 * on the command line (no option injection); the WAV on standard output is parsed (RIFF chunks walked with their
 * lengths checked) and resampled from its own rate to 48 kHz stereo.
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly #options: Required<EspeakSynthesizerOptions>;

  constructor(options: EspeakSynthesizerOptions = {}) {
    this.#options = {
      bin: 'espeak-ng',
      voice: 'en-us',
      wordsPerMinute: 160,
      maxChars: 1000,
      timeoutMs: 10_000,
      ...options,
    };
    const wpm = this.#options.wordsPerMinute;
    if (!(wpm >= 80 && wpm <= 450)) throw new RangeError('wordsPerMinute must be 80–450');
    if (!/^[A-Za-z0-9_+-]{1,40}$/.test(this.#options.voice)) throw new RangeError('bad espeak-ng voice name');
  }

  synthesize(text: string): Promise<Int16Array> {
    const o = this.#options;
    const input = text.slice(0, o.maxChars);
    return new Promise((resolve, reject) => {
      const child = spawn(o.bin, ['--stdout', '--stdin', '-b', '1', '-v', o.voice, '-s', String(o.wordsPerMinute)], {
        stdio: ['pipe', 'pipe', 'ignore'],
        timeout: o.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = 44 + MAX_SECONDS * 22_050 * 2;
      child.stdout.on('data', (chunk: Buffer) => {
        if (size >= limit) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      child.on('error', reject);
      child.stdin.on('error', () => {}); // the process died early: reported by `close`
      child.on('close', (code) => {
        if (code !== 0) return reject(new Error(`espeak-ng exited with ${code}`));
        try {
          const wav = parseWav(Buffer.concat(chunks).subarray(0, limit));
          resolve(toStereo48k(wav.samples, wav.sampleRate));
        } catch (error) {
          reject(error);
        }
      });
      child.stdin.end(input, 'utf8');
    });
  }
}

/** The samples of a mono s16 PCM WAV (the data chunk's length is capped by what is there: a streamed WAV says 0 or more). */
export function parseWav(wav: Buffer): { sampleRate: number; samples: Int16Array } {
  if (wav.length < 12 || wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('not a WAV file');
  let sampleRate = 0;
  let at = 12;
  while (at + 8 <= wav.length) {
    const id = wav.toString('latin1', at, at + 4);
    const declared = wav.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (declared < 16 || body + 16 > wav.length) throw new Error('bad WAV fmt chunk');
      const format = wav.readUInt16LE(body);
      const channels = wav.readUInt16LE(body + 2);
      const bits = wav.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16) throw new Error('WAV is not mono s16 PCM');
      sampleRate = wav.readUInt32LE(body + 4);
      if (!(sampleRate >= 8000 && sampleRate <= 96_000)) throw new Error('bad WAV sample rate');
    } else if (id === 'data') {
      if (sampleRate === 0) throw new Error('WAV data before fmt');
      const end = declared === 0 ? wav.length : Math.min(wav.length, body + declared);
      const bytes = wav.subarray(body, body + ((end - body) & ~1));
      const samples = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      return { sampleRate, samples };
    }
    at = body + declared + (declared & 1);
  }
  throw new Error('WAV without data');
}
