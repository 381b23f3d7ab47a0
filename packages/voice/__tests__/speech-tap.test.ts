import { describe, expect, it } from 'vitest';
import type { Transcriber, Transcript, Utterance } from '../src/speech/Speech.js';
import { SpeechTap } from '../src/speech/SpeechTap.js';
import { opusTone, ScriptedTranscriber } from './support/speech.js';

const ROOM = 'g:c';

/** A tap on a fake clock; frames are fed 20 ms apart. */
function setup(transcriber: Transcriber, options: ConstructorParameters<typeof SpeechTap>[1] = {}) {
  let now = 1_000_000;
  const transcripts: Transcript[] = [];
  const tap = new SpeechTap((t) => transcripts.push(t), { now: () => now, ...options });
  tap.setRoom(ROOM, { guildId: 'g', channelId: 'c', transcriber });
  const feed = (userId: string, frames: Buffer[]) => {
    for (const f of frames) {
      tap.hear(ROOM, userId, f);
      now += 20;
    }
  };
  const wait = (ms: number) => {
    now += ms;
    tap.sweep();
  };
  return { tap, transcripts, feed, wait, at: () => now };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SpeechTap', () => {
  it('cuts each speaker into utterances and posts what the transcriber heard, with times', async () => {
    const scripted = new ScriptedTranscriber();
    const { tap, transcripts, feed, wait } = setup(scripted);
    const start = 1_000_000;
    // alice: 1 s of 300 Hz, 1 s of silence, 0.6 s of 600 Hz; then she stops sending.
    feed('alice', [...opusTone(1, 300), ...opusTone(1, 0), ...opusTone(0.6, 600)]);
    wait(600);
    for (let i = 0; i < 5; i++) await settle();
    expect(transcripts.map((t) => t.text)).toEqual(['hello 10', 'world 6']);
    const [first, second] = transcripts;
    expect(first).toMatchObject({ guildId: 'g', channelId: 'c', userId: 'alice' });
    // Opus' encoder delay moves the edges by a few ms; the boundaries are the tone's, within a frame or two.
    expect(Math.abs(first!.from - start)).toBeLessThanOrEqual(40);
    expect(Math.abs(first!.to - (start + 1000))).toBeLessThanOrEqual(40);
    expect(Math.abs(second!.from - (start + 2000))).toBeLessThanOrEqual(40);
    expect(tap.stats).toMatchObject({ utterances: 2, transcribed: 2, errors: 0 });
    expect(scripted.heard.every((u) => u.sampleRate === 48_000)).toBe(true);
    tap.close();
  });

  it('is opt-in per room, and null stops it (speakers freed)', () => {
    const { tap, feed } = setup(new ScriptedTranscriber());
    tap.hear('g:other', 'bob', opusTone(0.02, 300)[0]!);
    expect(tap.speakers).toBe(0);
    feed('alice', opusTone(0.1, 300));
    expect(tap.speakers).toBe(1);
    tap.setRoom(ROOM, null);
    expect([tap.taps(ROOM), tap.speakers]).toEqual([false, 0]);
    tap.close();
  });

  it('holds at most maxSpeakers decoders, frees them on leave and when idle', () => {
    const { tap, feed, wait } = setup(new ScriptedTranscriber(), { maxSpeakers: 2, idleMs: 5000 });
    const frame = opusTone(0.02, 300);
    for (const user of ['a', 'b', 'c', 'd']) feed(user, frame);
    expect(tap.speakers).toBe(2);
    expect(tap.stats.dropped.speakers).toBe(2);
    tap.leave(ROOM, 'a');
    expect(tap.speakers).toBe(1);
    feed('c', frame);
    expect(tap.speakers).toBe(2);
    wait(5000);
    expect(tap.speakers).toBe(0);
    tap.close();
  });

  it('drops utterances (counted) when the transcriber is slower than speech; queue and concurrency bounded', async () => {
    const pending: Array<(text: string) => void> = [];
    const slow: Transcriber = { transcribe: () => new Promise((resolve) => pending.push(resolve)) };
    const { tap, transcripts, feed, wait } = setup(slow, { maxQueued: 2, concurrency: 1 });
    for (let i = 0; i < 6; i++) {
      feed('alice', opusTone(0.4, 300));
      wait(600);
    }
    await settle();
    expect(pending).toHaveLength(1); // one running
    expect(tap.stats.utterances).toBe(6);
    expect(tap.stats.dropped.queue).toBe(3); // 6 = 1 running + 2 queued + 3 dropped
    while (pending.length > 0) {
      pending.shift()!('ok');
      for (let i = 0; i < 5; i++) await settle();
    }
    expect(transcripts).toHaveLength(3);
    tap.close();
  });

  it('keeps transcriber failures and hostile frames away from the caller', async () => {
    let calls = 0;
    const failing: Transcriber = {
      transcribe: (u: Utterance) => {
        calls++;
        if (calls === 1) throw new Error('sync');
        if (calls === 2) return Promise.reject(new Error('async'));
        return Promise.resolve(u.userId === 'alice' ? '   ' : null);
      },
    };
    const { tap, transcripts, feed, wait } = setup(failing);
    for (const frames of [[Buffer.alloc(0)], [Buffer.alloc(2000, 1)], [Buffer.from([0xff, 0xff, 0xff, 0xff])]])
      expect(() => feed('mallory', frames)).not.toThrow();
    for (let i = 0; i < 4; i++) {
      feed(i === 3 ? 'bob' : 'alice', opusTone(0.4, 300));
      wait(600);
      for (let k = 0; k < 5; k++) await settle();
    }
    expect(calls).toBe(4);
    expect(transcripts).toEqual([]); // blank and null answers post nothing
    expect(tap.stats.errors).toBe(2);
    expect(tap.stats.dropped.decode).toBeGreaterThanOrEqual(2);
    tap.close();
  });

  it('abandons a transcription past timeoutMs and ignores a listener that throws', async () => {
    const never: Transcriber = { transcribe: () => new Promise(() => {}) };
    const { tap, feed, wait } = setup(never, { timeoutMs: 1 });
    feed('alice', opusTone(0.4, 300));
    wait(600);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tap.stats.dropped.timeout).toBe(1);
    tap.close();

    const throwing = new SpeechTap(
      () => {
        throw new Error('listener');
      },
      { now: () => 0 },
    );
    throwing.setRoom(ROOM, { guildId: 'g', channelId: 'c', transcriber: new ScriptedTranscriber() });
    for (const f of opusTone(0.4, 300)) throwing.hear(ROOM, 'alice', f);
    throwing.leave(ROOM, 'alice');
    for (let k = 0; k < 5; k++) await settle();
    expect(throwing.stats.errors).toBe(1);
    throwing.close();
  });
});
