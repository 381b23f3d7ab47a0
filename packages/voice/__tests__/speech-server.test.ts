import OpusScript from 'opusscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { ReceivedPacket } from '../src/client/VoiceClientEvents.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { EspeakSynthesizer } from '../src/speech/EspeakSynthesizer.js';
import { rms } from '../src/speech/Segmenter.js';
import type { Transcript, Utterance } from '../src/speech/Speech.js';
import { waitFor } from './helpers.js';
import { ESPEAK, espeakAvailable } from './support/espeak.js';
import { opusTone, ScriptedTranscriber } from './support/speech.js';

const espeak = espeakAvailable('the text-to-speech test');

/** `seconds` of a stereo 48 kHz tone as interleaved samples (what `speak` takes). */
function pcmTone(seconds: number, frequency: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * 48_000) * 2);
  for (let i = 0; i < out.length / 2; i++) {
    const v = Math.round(0.4 * 32_767 * Math.sin((2 * Math.PI * frequency * i) / 48_000));
    out[2 * i] = v;
    out[2 * i + 1] = v;
  }
  return out;
}

/** Decodes received Opus packets (in arrival order) to mono samples. */
function decode(packets: readonly ReceivedPacket[]): Int16Array {
  const decoder = new OpusScript(48_000, 2);
  try {
    const parts = packets.map((p) => {
      const pcm = decoder.decode(p.opus);
      const mono = new Int16Array(pcm.length >> 2);
      for (let i = 0; i < mono.length; i++) mono[i] = pcm.readInt16LE(i * 4);
      return mono;
    });
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  } finally {
    decoder.delete();
  }
}

describe('speech through the voice server', () => {
  let server: VoiceServer;
  const clients: VoiceClient[] = [];
  const transcripts: Transcript[] = [];
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000, speech: { maxSpeakers: 3 } });
    server.on('transcript', (t) => transcripts.push(t));
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server.close();
  });

  const join = async (channelId: string, userId: string) => {
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
    const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
    await client.connect();
    clients.push(client);
    const packets: ReceivedPacket[] = [];
    client.on('packet', (p) => packets.push(p));
    return { client, packets };
  };

  it('transcribes a channel that opted in, per speaker, with utterance boundaries; not the others', async () => {
    const scripted = new ScriptedTranscriber();
    server.transcribe('g', 'stt', scripted);
    const alice = await join('stt', 'alice');
    const bob = await join('stt', 'bob');
    const quiet = await join('other', 'carol');
    await join('other', 'dave');
    // 1 s "hello", 0.6 s of silence (encoded, so forwarded), 0.6 s "world".
    const frames = [...opusTone(1, 300), ...opusTone(0.6, 0), ...opusTone(0.6, 600)];
    for (const f of frames) alice.client.sendOpus(f);
    for (const f of opusTone(0.5, 300)) quiet.client.sendOpus(f);
    await waitFor(() => transcripts.length >= 2, 5000, 'two transcripts');
    expect(transcripts.map((t) => [t.userId, t.channelId, t.text])).toEqual([
      ['alice', 'stt', 'hello 10'],
      ['alice', 'stt', 'world 6'],
    ]);
    expect(transcripts[0]!.to - transcripts[0]!.from).toBeCloseTo(1000, -2);
    // Forwarding went on as usual.
    await waitFor(() => bob.packets.length === frames.length, 5000, 'forwarded');
    expect(server.stats.speech).toMatchObject({ utterances: 2, transcribed: 2, errors: 0 });
    server.transcribe('g', 'stt', null);
    transcripts.length = 0;
  });

  it('speaks PCM into a channel as a member the others receive at real time; the tap hears it too', async () => {
    server.transcribe('g', 'tts', new ScriptedTranscriber());
    const listener = await join('tts', 'erin');
    const frames = await server.speak('g', 'tts', pcmTone(1, 300), { userId: 'narrator' });
    expect(frames).toBe(50);
    await waitFor(() => listener.packets.length >= 50, 5000, 'narrator audio'); // of 50 frames + 5 silence
    expect(new Set(listener.packets.map((p) => p.userId))).toEqual(new Set(['narrator']));
    const heard = decode(listener.packets);
    expect(heard.length / 48_000).toBeGreaterThan(1);
    expect(rms(heard.subarray(0, 48_000))).toBeGreaterThan(0.2);
    await waitFor(() => transcripts.length === 1, 5000, 'transcript of the narrator');
    expect(transcripts[0]).toMatchObject({ userId: 'narrator', text: 'hello 10' });
    // The narrator left once done.
    await waitFor(() => !server.members('g', 'tts').some((m) => m.userId === 'narrator'), 5000, 'narrator left');
    await expect(server.speak('g', 'tts', new Int16Array(61 * 96_000))).rejects.toThrow(RangeError);
    server.transcribe('g', 'tts', null);
    transcripts.length = 0;
  });

  it('plays speeches in order on one session, leaves after them; bounds the narrators speaking at once', async () => {
    const listener = await join('many', 'gina');
    for (let i = 0; i < 24; i++) expect(await server.speak('g', 'many', pcmTone(0.02, 300))).toBe(1);
    await waitFor(() => listener.packets.length >= 24, 5000, 'every speech');
    await waitFor(() => !server.members('g', 'many').some((m) => m.userId === 'narrator'), 5000, 'narrator left');
    const long = pcmTone(0.5, 300);
    // One session per user and guild, as Discord: the same narrator cannot be in two channels of a guild at once.
    const first = server.speak('g', 'busy', long);
    await expect(server.speak('g', 'elsewhere', long)).rejects.toThrow('another channel');
    const speaking = [first, ...['g2', 'g3', 'g4'].map((g) => server.speak(g, 'busy', long))];
    await expect(server.speak('g5', 'busy', long)).rejects.toThrow(RangeError);
    expect(await Promise.all(speaking)).toEqual([25, 25, 25, 25]);
  });

  it.runIf(espeak)(
    'espeak-ng speaks a sentence: the listener gets speech, the tap cuts it into utterances',
    async () => {
      const utterances: Utterance[] = [];
      const recording = async (u: Utterance) => {
        utterances.push(u);
        return `${u.pcm.length}`;
      };
      server.transcribe('g', 'espeak', { transcribe: recording });
      const listener = await join('espeak', 'frank');
      const pcm = await new EspeakSynthesizer({ bin: ESPEAK }).synthesize(
        'Hello players. The match starts in one minute.',
      );
      const seconds = pcm.length / 96_000;
      expect(seconds).toBeGreaterThan(1.5);
      expect(seconds).toBeLessThan(6);
      await server.speak('g', 'espeak', pcm, { userId: 'narrator' });
      await waitFor(() => listener.packets.length >= Math.floor(seconds * 50), 5000, 'speech received');
      const heard = decode(listener.packets);
      expect(heard.length / 48_000).toBeGreaterThanOrEqual(seconds - 0.05);
      expect(rms(heard)).toBeGreaterThan(0.02);
      await waitFor(() => server.stats.speech!.transcribed >= 1 && utterances.length >= 1, 5000, 'utterances');
      await new Promise((resolve) => setTimeout(resolve, 700)); // a second sentence may still be closing
      const total = utterances.reduce((n, u) => n + (u.to - u.from), 0) / 1000;
      // One or two utterances (a sentence pause may split it), covering most of the speech and never more.
      expect(utterances.length).toBeGreaterThanOrEqual(1);
      expect(utterances.length).toBeLessThanOrEqual(3);
      expect(total).toBeGreaterThan(seconds * 0.6);
      expect(total).toBeLessThanOrEqual(seconds + 0.1);
      for (const u of utterances) expect(u.userId).toBe('narrator');
      server.transcribe('g', 'espeak', null);
    },
  );
});
