import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transcriber, Utterance } from './Speech.js';

export interface PocketsphinxTranscriberOptions {
  /** `pocketsphinx_continuous` (Debian's package `pocketsphinx`, its US English model `pocketsphinx-en-us`). */
  bin?: string;
  /**
   * A JSGF grammar file: only its phrases are recognized (a game's voice commands, its vocabulary). Far more
   * accurate than the general language model, which is used without it.
   */
  grammar?: string;
  /** Extra arguments (`-hmm`, `-lm`, `-dict` for another model). */
  args?: readonly string[];
  /** The process is killed after this long, ms (default 20 000). */
  timeoutMs?: number;
}

/** The recognizer's rate: the utterance is brought down from 48 kHz. */
const RATE = 16_000;

/**
 * Speech to text with CMU PocketSphinx (`pocketsphinx_continuous`), a local engine with a small US English model
 * that Debian ships: each utterance is written as a 16 kHz WAV to a private temporary folder and recognized in a
 * process of its own (a crash or a hang is that utterance's, bounded by `timeoutMs`). Its words are the answer.
 */
export class PocketsphinxTranscriber implements Transcriber {
  readonly #options: PocketsphinxTranscriberOptions;

  constructor(options: PocketsphinxTranscriberOptions = {}) {
    this.#options = options;
  }

  async transcribe(utterance: Utterance): Promise<string | null> {
    const dir = await mkdtemp(join(tmpdir(), 'concord-stt-'));
    try {
      const file = join(dir, 'utterance.wav');
      await writeFile(file, wav16k(utterance.pcm));
      const o = this.#options;
      const args = [
        '-infile',
        file,
        '-logfn',
        '/dev/null',
        ...(o.grammar ? ['-jsgf', o.grammar] : []),
        ...(o.args ?? []),
      ];
      const out = await run(o.bin ?? 'pocketsphinx_continuous', args, o.timeoutMs ?? 20_000);
      const text = out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ');
      return text.length > 0 ? text : null;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function run(bin: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (out.length < 64_000) out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`pocketsphinx exited with ${code}`))));
  });
}

/** Mono 48 kHz → a 16 kHz mono s16 WAV: each output sample the mean of three (a box low-pass before decimating). */
export function wav16k(pcm: Int16Array): Buffer {
  const n = Math.floor(pcm.length / 3);
  const out = Buffer.alloc(44 + n * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + n * 2, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(RATE, 24);
  out.writeUInt32LE(RATE * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    out.writeInt16LE(Math.round((pcm[3 * i]! + pcm[3 * i + 1]! + pcm[3 * i + 2]!) / 3), 44 + i * 2);
  return out;
}
