import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { EspeakSynthesizer } from '../src/speech/EspeakSynthesizer.js';
import { PocketsphinxTranscriber } from '../src/speech/PocketsphinxTranscriber.js';
import type { Transcript } from '../src/speech/Speech.js';
import { waitFor } from './helpers.js';
import { ESPEAK, espeakAvailable } from './support/espeak.js';
import { POCKETSPHINX, pocketsphinxAvailable } from './support/pocketsphinx.js';

const available = espeakAvailable('the speech-to-text test') && pocketsphinxAvailable('the speech-to-text test');
const grammar = fileURLToPath(new URL('./fixtures/speech/commands.gram', import.meta.url));

/** The left channel of interleaved stereo. */
function left(stereo: Int16Array): Int16Array {
  const out = new Int16Array(stereo.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = stereo[2 * i]!;
  return out;
}

describe.runIf(available)('local speech to text (PocketSphinx) on local text to speech (espeak-ng)', () => {
  const tts = new EspeakSynthesizer({ bin: ESPEAK, wordsPerMinute: 130 });
  const stt = new PocketsphinxTranscriber({ bin: POCKETSPHINX, grammar });
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('recognizes a synthesized phrase with a game vocabulary', async () => {
    const pcm = left(await tts.synthesize('hello world'));
    const base = { guildId: 'g', channelId: 'c', userId: 'u', sampleRate: 48_000 as const, from: 0, to: 0 };
    expect(await stt.transcribe({ ...base, pcm })).toBe('hello world');
    expect(await stt.transcribe({ ...base, pcm: new Int16Array(48_000) })).toBeNull(); // silence: no words
  });

  it('a sentence spoken into a channel comes back as a transcript of the narrator', async () => {
    const transcripts: Transcript[] = [];
    server.on('transcript', (t) => transcripts.push(t));
    server.transcribe('g', 'party', stt);
    await server.speak('g', 'party', await tts.synthesize('hello world'), { userId: 'narrator' });
    await waitFor(() => transcripts.length > 0, 10_000, 'a transcript');
    expect(transcripts[0]).toMatchObject({ userId: 'narrator', channelId: 'party', text: 'hello world' });
    server.transcribe('g', 'party', null);
  });
});
