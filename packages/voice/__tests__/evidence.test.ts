import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpusScript from 'opusscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { EvidenceRecorder } from '../src/evidence/EvidenceRecorder.js';
import { writeOggOpus } from '../src/evidence/writeOggOpus.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';
import { FFMPEG, ffmpegAvailable } from './support/ffmpeg.js';

const available = ffmpegAvailable('the voice evidence test', 'pcm_s16le');

/** `seconds` of a 440 Hz tone (stereo, 48 kHz) as 20 ms Opus frames. */
function tone(seconds: number): Buffer[] {
  const encoder = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
  try {
    const frames: Buffer[] = [];
    for (let f = 0; f < seconds * 50; f++) {
      const pcm = Buffer.alloc(960 * 4);
      for (let i = 0; i < 960; i++) {
        const v = Math.round(Math.sin((2 * Math.PI * 440 * (f * 960 + i)) / 48_000) * 12_000);
        pcm.writeInt16LE(v, i * 4);
        pcm.writeInt16LE(v, i * 4 + 2);
      }
      frames.push(Buffer.from(encoder.encode(pcm, 960)));
    }
    return frames;
  } finally {
    encoder.delete();
  }
}

/** Decodes an Ogg Opus file with ffmpeg: its samples (mono, 48 kHz, s16). */
function decode(ogg: Buffer): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'concord-evidence-'));
  try {
    writeFileSync(join(dir, 'clip.ogg'), ogg);
    const pcm = execFileSync(
      FFMPEG,
      ['-v', 'error', '-i', join(dir, 'clip.ogg'), '-f', 's16le', '-ac', '1', '-ar', '48000', '-'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Zero crossings per second: ~880 for a 440 Hz tone. */
function crossingsPerSecond(samples: Int16Array): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) n++;
  return n / (samples.length / 48_000);
}

describe('EvidenceRecorder', () => {
  it('keeps only rooms that opted in, the last `seconds` per speaker, a copy of each frame', () => {
    let now = 0;
    const rec = new EvidenceRecorder({ now: () => now });
    rec.record('room', 'u', Buffer.from([1]));
    expect(rec.clip('u', 60)).toBeNull();
    rec.setRoom('room', 2);
    const frame = Buffer.from([0xfc, 1, 2]);
    for (let i = 0; i < 200; i++) {
      now += 20;
      rec.record('room', 'u', frame);
    }
    frame[0] = 0;
    const clip = rec.clip('u', 60)!;
    // 2 s × 50 frames kept of 4 s sent: the newest.
    expect([clip.from, clip.to]).toEqual([20 * 101, 20 * 200]);
    expect(rec.clip('u', 1)!.from).toBe(20 * 200 - 1000);
    rec.forget('u');
    expect(rec.clip('u', 60)).toBeNull();
    expect(() => rec.setRoom('room', 61)).toThrow(RangeError);
    rec.setRoom('room', null);
    expect(rec.records('room')).toBe(false);
  });

  it('bounds the speakers kept: the least recently heard goes first', () => {
    const rec = new EvidenceRecorder({ maxSpeakers: 2 });
    rec.setRoom('r', 1);
    for (const u of ['a', 'b', 'a', 'c']) rec.record('r', u, Buffer.from([0xfc]));
    expect([rec.clip('a', 5), rec.clip('b', 5), rec.clip('c', 5)].map((c) => c !== null)).toEqual([true, false, true]);
  });

  it.runIf(available)('writes Ogg Opus that ffmpeg plays back as what was said', () => {
    const samples = decode(writeOggOpus(tone(2)));
    expect(samples.length / 48_000).toBeGreaterThan(1.9);
    expect(samples.length / 48_000).toBeLessThan(2.05);
    expect(crossingsPerSecond(samples)).toBeGreaterThan(850);
    expect(crossingsPerSecond(samples)).toBeLessThan(910);
  });
});

describe('voice evidence through the server', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it.runIf(available)(
    'a channel that records keeps a speaker’s last seconds, playable; one that does not keeps nothing',
    async () => {
      const join = async (channelId: string, userId: string) => {
        const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
        const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
        await client.connect();
        let got = 0;
        client.on('packet', () => got++);
        return { client, got: () => got };
      };
      server.recordEvidence('g', 'lobby', 30);
      const speaker = await join('lobby', 'ev-speaker');
      const listener = await join('lobby', 'ev-listener');
      const elsewhere = await join('quiet', 'ev-elsewhere');
      const elsewhereListener = await join('quiet', 'ev-elsewhere-listener');
      const frames = tone(1);
      for (const f of frames) speaker.client.sendOpus(f);
      for (const f of frames.slice(0, 10)) elsewhere.client.sendOpus(f);
      await waitFor(() => listener.got() === frames.length && elsewhereListener.got() === 10, 5000, 'forwarded');
      const clip = server.evidenceClip('ev-speaker', 30)!;
      expect(clip.userId).toBe('ev-speaker');
      const samples = decode(clip.ogg);
      expect(samples.length / 48_000).toBeGreaterThan(0.95);
      expect(crossingsPerSecond(samples)).toBeGreaterThan(850);
      expect(server.evidenceClip('ev-elsewhere', 30)).toBeNull();
      for (const c of [speaker, listener, elsewhere, elsewhereListener]) c.client.disconnect();
    },
  );
});
