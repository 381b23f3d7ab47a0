import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReceivedFrame } from '../src/client/ReceiveSubscription.js';
import { type ReceivedPacket, VoiceClient } from '../src/client/VoiceClient.js';
import { createOpusCodec, SILENCE_FRAME } from '../src/opus/opus.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { goertzel, toneFrames, waitFor } from './helpers.js';

// The playout clock is a setInterval whose callback defers the pull to setImmediate; both must be faked.
const FAKE = ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'setImmediate', 'performance'] as const;

const pcmBytes = (frames: ReceivedFrame[]) =>
  Buffer.concat(frames.map((f) => Buffer.from(f.pcm!.buffer, f.pcm!.byteOffset, f.pcm!.byteLength)));

/** A client that never connects: its subscriptions are fed through the `packet` event, as the socket feeds them. */
const offline = () =>
  new VoiceClient({ endpoint: '127.0.0.1:1', token: 't', sessionId: 's', userId: 'u', guildId: 'g' });

describe('VoiceClient receive path through the jitter buffer (loopback)', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  function join(userId: string) {
    const sessionId = `s-${userId}`;
    const { token, endpoint } = server.allocate({ guildId: 'g1', channelId: 'jit', userId, sessionId });
    return new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g1', modes: ['aead_aes256_gcm_rtpsize'] });
  }

  it('decodes a 440 Hz tone sent by A from the frames B pulls out of the buffer', async () => {
    const a = join('jit-a');
    const b = join('jit-b');
    await a.connect();
    await b.connect();
    // A floor under the delay absorbs the stalls of a loaded test machine (sender and receiver share one thread).
    const stream = b.subscribe('jit-a', { decode: true, jitter: { minDelayMs: 100, initialDelayMs: 200 } });
    const frames: ReceivedFrame[] = [];
    stream.on('data', (f: ReceivedFrame) => frames.push(f));
    const raw: ReceivedPacket[] = [];
    b.on('packet', (p) => raw.push(p));

    const tone = toneFrames(440, 50);
    // Paced like a real sender, so the buffer sees realistic arrivals.
    for (const frame of tone) {
      a.sendPcm(frame);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const audio = () => frames.filter((f) => f.kind === 'audio');
    const done = () => {
      const s = b.receiveStats('jit-a');
      return s !== null && s.played + s.late + s.shrinkDropped >= tone.length;
    };
    await waitFor(done, 5000, 'playout');

    // The raw event still carries every packet.
    expect(raw.length).toBe(tone.length);
    const played = audio();
    const sequences = played.map((f) => f.sequence!);
    // In order; a frame may be missing (dropped to shrink the delay, or late on a loaded machine), never repeated.
    for (let i = 1; i < sequences.length; i++) {
      const step = (sequences[i]! - sequences[i - 1]! + 0x10000) & 0xffff;
      expect(step).toBeGreaterThanOrEqual(1);
      expect(step).toBeLessThan(tone.length);
    }
    for (const f of frames) {
      expect(f.userId).toBe('jit-a');
      expect(f.ssrc).toBe(a.ssrc);
      expect(f.pcm).toBeInstanceOf(Int16Array);
      expect(f.pcm!.length).toBe(1920);
    }
    expect(played.length).toBeGreaterThanOrEqual(25);
    // Skip the codec's start-up transient (the first five frames sent).
    const pcm = pcmBytes(played.filter((f) => ((f.sequence! - raw[0]!.sequence + 0x10000) & 0xffff) >= 5));
    const power = goertzel(pcm, 440);
    for (const other of [220, 330, 550, 880, 1000, 2000]) expect(power).toBeGreaterThan(20 * goertzel(pcm, other));
    const stats = b.receiveStats('jit-a')!;
    expect(stats.received).toBe(tone.length);
    expect(stats.played).toBe(played.length);
    expect(stats.played + stats.late + stats.shrinkDropped + stats.buffered).toBe(tone.length);

    a.disconnect();
    await new Promise((resolve) => stream.on('end', resolve));
    b.disconnect();
  });
});

describe('VoiceClient receive path through the jitter buffer (packet-level)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reorders, conceals losses with Opus PLC and counts them', async () => {
    vi.useFakeTimers({ toFake: [...FAKE] });
    const client = offline();
    const ssrc = 4242;
    const frames: ReceivedFrame[] = [];
    const stream = client.subscribe(ssrc, { decode: true });
    stream.on('data', (f: ReceivedFrame) => frames.push(f));

    const encoder = createOpusCodec();
    // 60 frames of tone, then the five silence frames a sender pauses with (else the end reads as losses).
    const opus = [...toneFrames(440, 60).map((f) => encoder.encode(f)), ...Array(5).fill(SILENCE_FRAME)];
    encoder.delete();
    const first = 65_500; // crosses the 16-bit sequence wrap
    const packet = (i: number): ReceivedPacket => ({
      ssrc,
      userId: null,
      sequence: (first + i) & 0xffff,
      timestamp: (1_000_000 + i * 960) >>> 0,
      opus: opus[i]!,
    });
    const lost = new Set([20, 33]);
    // Arrival order: 10↔11 and 40↔41 swapped, 20 and 33 never arrive.
    const order = [...Array(65).keys()];
    order.splice(10, 2, 11, 10);
    order.splice(40, 2, 41, 40);
    for (const i of order) {
      if (!lost.has(i)) client.emit('packet', packet(i));
      vi.advanceTimersByTime(20);
    }
    vi.advanceTimersByTime(1_000);
    vi.useRealTimers();
    // Let the stream deliver what was pushed.
    await new Promise((resolve) => setImmediate(resolve));

    // Silence frames may be dropped to shrink the delay; the tone frames must all be there.
    const audio = frames.filter((f) => f.kind === 'audio' && f.payload!.length > 3);
    const expected = order
      .filter((i) => i < 60 && !lost.has(i))
      .sort((x, y) => x - y)
      .map((i) => (first + i) & 0xffff);
    expect(audio.map((f) => f.sequence)).toEqual(expected);
    // Every gap was filled by a concealed frame, in place.
    const kinds = frames.map((f) => (f.kind === 'audio' ? f.sequence : f.kind));
    for (const i of lost) {
      const before = kinds.indexOf((first + i - 1) & 0xffff);
      expect(kinds[before + 1]).toBe('concealed');
      expect(kinds[before + 2]).toBe((first + i + 1) & 0xffff);
    }
    for (const f of frames.filter((x) => x.kind === 'concealed')) {
      expect(f.payload).toBeUndefined();
      expect(f.pcm).toBeInstanceOf(Int16Array);
      expect(f.pcm!.length).toBe(1920);
    }
    // The stream ended: one silence frame marks it (not one every 20 ms).
    expect(frames.filter((f) => f.kind === 'silence').length).toBeLessThanOrEqual(1);

    const stats = client.receiveStats(ssrc)!;
    expect(stats.received).toBe(63);
    expect(stats.lost).toBe(2);
    expect(stats.late).toBe(0);
    expect(stats.concealed).toBeGreaterThanOrEqual(2);
    expect(stats.played + stats.shrinkDropped).toBe(63);
    client.disconnect();
  });

  it('jitter: false yields one frame per packet in arrival order', () => {
    const client = offline();
    const frames: ReceivedFrame[] = [];
    client.subscribe('someone', { jitter: false }).on('data', (f: ReceivedFrame) => frames.push(f));
    for (const sequence of [5, 7, 6]) {
      client.emit('packet', {
        ssrc: 1,
        userId: 'someone',
        sequence,
        timestamp: sequence * 960,
        opus: Buffer.from([sequence]),
      });
      client.emit('packet', { ssrc: 2, userId: 'other', sequence, timestamp: 0, opus: Buffer.from([0]) });
    }
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(frames.map((f) => [f.kind, f.sequence, f.payload?.[0]])).toEqual([
        ['audio', 5, 5],
        ['audio', 7, 7],
        ['audio', 6, 6],
      ]);
      expect(client.receiveStats('someone')).toBeNull();
      client.disconnect();
    });
  });

  it('runs one playout clock for all subscriptions and stops it on unsubscribe and on disconnect', async () => {
    vi.useFakeTimers({ toFake: [...FAKE] });
    const client = offline();
    expect(vi.getTimerCount()).toBe(0);
    const one = client.subscribe(1, {});
    const two = client.subscribe('two', { decode: true });
    const raw = client.subscribe('two');
    const unbuffered = client.subscribe(3, { jitter: false });
    expect(vi.getTimerCount()).toBe(1);
    client.unsubscribe(1);
    expect(vi.getTimerCount()).toBe(1);
    expect(client.receiveStats(1)).toBeNull();
    expect(client.receiveStats('two')).not.toBeNull();
    client.unsubscribe('two');
    // Only the unclocked subscription is left.
    expect(vi.getTimerCount()).toBe(0);
    for (const s of [one, two, raw]) s.resume();
    vi.useRealTimers();
    await new Promise((resolve) => setImmediate(resolve));
    expect([one.readableEnded, two.readableEnded, raw.readableEnded, unbuffered.readableEnded]).toEqual([
      true,
      true,
      true,
      false,
    ]);

    vi.useFakeTimers({ toFake: [...FAKE] });
    const three = client.subscribe('three', { decode: true });
    expect(vi.getTimerCount()).toBe(1);
    client.disconnect();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    three.resume();
    unbuffered.resume();
    await new Promise((resolve) => setImmediate(resolve));
    expect(three.readableEnded).toBe(true);
    expect(unbuffered.readableEnded).toBe(true);
  });

  it('frees each decoder when its subscription ends (opusscript allows only a few codecs per process)', () => {
    const client = offline();
    for (let i = 0; i < 40; i++) {
      const stream = client.subscribe(i, { decode: true });
      if (i % 2) client.unsubscribe(i);
      else stream.destroy();
    }
    expect(client.receiveStats(39)).toBeNull();
    client.disconnect();
  });
});
