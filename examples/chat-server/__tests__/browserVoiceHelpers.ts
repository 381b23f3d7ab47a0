// Helpers of the browser voice proof: Chromium with fake media devices playing a sine WAV as its microphone, the
// received tone's frequency measured in the page (WebAudio FFT) and in Node (decoded Opus), and a tone as Opus frames.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM } from './browserHelpers.js';

const RATE = 48_000;

/** A mono 16-bit 48 kHz WAV of a sine at `hz` (half scale), written to `dir`; its path. */
export function sineWav(dir: string, hz: number, seconds = 20): string {
  const samples = seconds * RATE;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / RATE) * 0.5 * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  const path = join(dir, `sine-${hz}.wav`);
  writeFileSync(path, Buffer.concat([header, data]));
  return path;
}

/**
 * Chromium whose fake microphone plays `wav` (fake camera: Chrome's 640×480 test pattern; fake UI: getUserMedia and
 * getDisplayMedia are granted, the screen picked), with loopback ICE candidates allowed (the voice server is on
 * 127.0.0.1) and audio allowed to play without a gesture.
 */
export async function launchWithMicrophone(wav: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
    ],
  });
}

/** What a page measures of one remote audio element: the FFT's loudest bin (Hz) and its level (dBFS). */
export interface HeardTone {
  hz: number;
  db: number;
}

/**
 * Listens for `ms` to the audio the page plays for `userId` (its `#voice-audio audio[data-user]`) through an
 * AnalyserNode, and returns the loudest frequency between 100 Hz and 4 kHz; null when no element plays that user.
 */
export function hearTone(page: Page, userId: string, ms = 1500): Promise<HeardTone | null> {
  return page.evaluate(
    async ({ userId, ms }) => {
      const el = Array.from(document.querySelectorAll<HTMLAudioElement>('#voice-audio audio')).find(
        (a) => a.dataset.user === userId,
      );
      if (!el?.srcObject) return null;
      const context = new AudioContext();
      await context.resume();
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0.5;
      context.createMediaStreamSource(el.srcObject as MediaStream).connect(analyser);
      await new Promise((resolve) => setTimeout(resolve, ms));
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const hzPerBin = context.sampleRate / analyser.fftSize;
      let best = Math.ceil(100 / hzPerBin);
      for (let i = best; i < 4000 / hzPerBin; i++) if (bins[i]! > bins[best]!) best = i;
      await context.close();
      return { hz: best * hzPerBin, db: bins[best]! };
    },
    { userId, ms },
  );
}

/**
 * What a page sees of `userId`'s video tile (`kind`: their camera, `video`, or the Go Live stream it watches, `stream`;
 * `self-camera` / `self-screen`: its own preview): the decoded size and how many frames were presented in `ms`.
 */
export function watchVideo(
  page: Page,
  userId: string,
  ms = 1000,
  kind: 'video' | 'stream' | 'self-camera' | 'self-screen' = 'video',
): Promise<{ width: number; height: number; frames: number } | null> {
  return page.evaluate(
    async ({ userId, ms, kind }) => {
      const tile = Array.from(
        document.querySelectorAll<HTMLElement>(`#voice-grid .voice-tile[data-kind="${kind}"]`),
      ).find((t) => t.dataset.user === userId && !t.hidden);
      const video = tile?.querySelector('video');
      if (!video) return null;
      let frames = 0;
      const count = () => {
        frames++;
        video.requestVideoFrameCallback(count);
      };
      video.requestVideoFrameCallback(count);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { width: video.videoWidth, height: video.videoHeight, frames };
    },
    { userId, ms, kind },
  );
}

/**
 * Polls `probe` until `ok` holds for its result, for at most `ms` (a deadline, not a timed assertion: it only bounds how
 * long a failing run waits, and the error then shows the last result).
 */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  ms = 30_000,
): Promise<T> {
  let last: T | undefined;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: never happened (last: ${JSON.stringify(last)})`);
}

/** 20 ms of 48 kHz stereo s16le sine at `hz`, continuing from sample `start` (the repo's Opus frame format). */
export function sineFrame(hz: number, start: number): Buffer {
  const pcm = Buffer.alloc(960 * 4);
  for (let i = 0; i < 960; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * hz * (start + i)) / RATE) * 0.4 * 32767);
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(v, i * 4 + 2);
  }
  return pcm;
}

/** The strongest frequency (100 Hz – 2 kHz, 5 Hz steps, Goertzel) in interleaved stereo s16le PCM, left channel. */
export function dominantFrequency(pcm: Buffer): { hz: number; rms: number } {
  const n = Math.floor(pcm.length / 4);
  const x = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    x[i] = pcm.readInt16LE(i * 4) / 32768;
    sum += x[i]! * x[i]!;
  }
  let best = { hz: 0, power: -1 };
  for (let hz = 100; hz <= 2000; hz += 5) {
    const coeff = 2 * Math.cos((2 * Math.PI * hz) / RATE);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = x[i]! + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if (power > best.power) best = { hz, power };
  }
  return { hz: best.hz, rms: Math.sqrt(sum / Math.max(1, n)) };
}

export const FFMPEG = process.env.FFMPEG_BIN ?? '/usr/bin/ffmpeg';

/** Whether ffmpeg (with libvpx) is here: locally its absence skips the native video test, under CI=true it fails. */
export function ffmpegAvailable(): boolean {
  let ok = false;
  try {
    ok =
      existsSync(FFMPEG) &&
      execFileSync(FFMPEG, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes('libvpx');
  } catch {
    ok = false;
  }
  if (!ok) {
    if (process.env.CI === 'true') throw new Error(`${FFMPEG} with libvpx is missing (apt-get install ffmpeg)`);
    console.warn(`[chat-server] skipping the native video test: no ffmpeg with libvpx at ${FFMPEG}`);
  }
  return ok;
}

/** The frames of an IVF file (32-byte header, then a 12-byte header per frame), bounds-checked. */
export function ivfFrames(file: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  if (file.length < 32 || file.toString('ascii', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  let at = file.readUInt16LE(6);
  while (at + 12 <= file.length) {
    const size = file.readUInt32LE(at);
    if (at + 12 + size > file.length) throw new Error('truncated IVF frame');
    frames.push(file.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/** `count` VP8 frames of ffmpeg's test pattern at `width`×`height`, a keyframe every `keyint` (libvpx real-time). */
export function encodeVp8Pattern(width: number, height: number, count: number, keyint: number): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'browser-voice-vp8-'));
  try {
    const out = join(dir, 'pattern.ivf');
    execFileSync(FFMPEG, [
      ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`],
      ...['-frames:v', String(count), '-c:v', 'libvpx', '-b:v', '600k', '-g', String(keyint)],
      ...['-keyint_min', String(keyint), '-auto-alt-ref', '0', '-lag-in-frames', '0', '-deadline', 'realtime'],
      ...['-cpu-used', '8', '-error-resilient', '1', '-f', 'ivf', out],
    ]);
    return ivfFrames(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Decodes VP8 frames (from a keyframe on) with ffmpeg: how many frames came out, and their size. */
export function decodeVp8(frames: readonly Buffer[], width: number, height: number): { frames: number; size: string } {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0);
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('VP80', 8);
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(90_000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  frames.forEach((frame, i) => {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(frame.length, 0);
    h.writeBigUInt64LE(BigInt(i), 4);
    parts.push(h, frame);
  });
  const out = execFileSync(
    FFMPEG,
    ['-hide_banner', '-v', 'error', '-f', 'ivf', '-i', 'pipe:0', '-f', 'framemd5', 'pipe:1'],
    { input: Buffer.concat(parts), maxBuffer: 64 * 1024 * 1024 },
  ).toString();
  // framemd5 lines: stream, dts, pts, duration, size (bytes of the decoded YUV 4:2:0 picture), md5.
  const sizes = out
    .split('\n')
    .filter((line) => /^\d+,/.test(line))
    .map((line) => Number(line.split(',')[4]));
  const expected = (width * height * 3) / 2;
  return { frames: sizes.length, size: sizes.every((s) => s === expected) ? `${width}x${height}` : 'other' };
}
