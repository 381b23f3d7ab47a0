// ffmpeg (Debian's package, libvpx inside) as the real encoder and decoder of the native video tests: a test pattern
// encoded to VP8 in simulcast layers, and received frames decoded back to count them and read their size.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IvfFile, type IvfFrame, readIvf, writeIvf } from './ivf.js';

export const FFMPEG = process.env.FFMPEG_BIN ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE_BIN ?? join(FFMPEG, '..', 'ffprobe');

/**
 * Whether ffmpeg with `encoder` (libvpx by default) and ffprobe can run here. Absent: tests skip with a message locally, and fail under
 * CI=true (.ci/services/ffmpeg.sh installs it there).
 */
export function ffmpegAvailable(what: string, encoder = 'libvpx'): boolean {
  let ok = false;
  try {
    ok =
      existsSync(FFMPEG) &&
      existsSync(FFPROBE) &&
      execFileSync(FFMPEG, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes(encoder);
  } catch {
    ok = false;
  }
  if (!ok) {
    if (process.env.CI === 'true')
      throw new Error(`ffmpeg with ${encoder} is required for ${what} (apt-get install ffmpeg)`);
    console.warn(`ffmpeg with ${encoder} not found at ${FFMPEG}: ${what} skipped (apt-get install ffmpeg)`);
  }
  return ok;
}

export interface LayerSpec {
  width: number;
  height: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
}

/**
 * Encodes `frames` frames of ffmpeg's testsrc2 pattern at `fps` to VP8, one IVF per layer, from one decoded source
 * (a `split` filter): every layer has the same frame timestamps and a keyframe every `keyint` frames, at the same
 * frames (libvpx in real-time mode at its fastest, one thread per layer, no alt-ref and no lag, so one input frame gives
 * one output frame).
 */
export function encodeTestPattern(
  layers: readonly LayerSpec[],
  frames: number,
  fps: number,
  keyint: number,
): IvfFile[] {
  const dir = mkdtempSync(join(tmpdir(), 'concord-vp8-'));
  try {
    const split = layers.map((_, i) => `[s${i}]`).join('');
    const scales = layers.map((l, i) => `[s${i}]scale=${l.width}:${l.height}[o${i}]`).join(';');
    const args = [
      '-hide_banner',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=1280x720:rate=${fps}`,
      '-frames:v',
      String(frames),
      '-filter_complex',
      `[0:v]split=${layers.length}${split};${scales}`,
    ];
    layers.forEach((l, i) => {
      args.push('-map', `[o${i}]`, '-frames:v', String(frames), '-c:v', 'libvpx', '-b:v', String(l.bitrate));
      args.push('-g', String(keyint), '-keyint_min', String(keyint), '-auto-alt-ref', '0', '-lag-in-frames', '0');
      args.push(
        '-deadline',
        'realtime',
        '-cpu-used',
        '16',
        '-threads',
        '1',
        '-error-resilient',
        '1',
        '-f',
        'ivf',
        join(dir, `${i}.ivf`),
      );
    });
    execFileSync(FFMPEG, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return layers.map((_, i) => readIvf(readFileSync(join(dir, `${i}.ivf`))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface DecodedFrame {
  width: number;
  height: number;
  keyframe: boolean;
}

/** Each decoded frame of `file` as ffprobe reports it (key frame flag and size), in order. */
function probeFrames(input: readonly string[], file: string): DecodedFrame[] {
  const csv = execFileSync(
    FFPROBE,
    ['-v', 'error', ...input, '-show_entries', 'frame=width,height,key_frame', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  return csv
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [key, width, height] = line.split(',').map(Number);
      return { keyframe: key === 1, width: width!, height: height! };
    });
}

/** Decodes VP8 frames (in order) with ffmpeg; throws when the decoder reports an error. Returns each decoded frame. */
export function decodeVp8(frames: readonly Buffer[], size: { width: number; height: number }): DecodedFrame[] {
  const dir = mkdtempSync(join(tmpdir(), 'concord-vp8-rx-'));
  try {
    const file = join(dir, 'rx.ivf');
    const ivfFrames: IvfFrame[] = frames.map((data, pts) => ({ pts, data }));
    writeFileSync(file, writeIvf({ fourcc: 'VP80', ...size, timebaseDen: 30, timebaseNum: 1 }, ivfFrames));
    // -xerror: a corrupt frame (a wrongly reassembled one) fails the run instead of being concealed.
    execFileSync(FFMPEG, ['-hide_banner', '-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return probeFrames(['-select_streams', 'v'], file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Encodes `frames` frames of testsrc2 with libx264 (baseline-like: no B-frames, zero latency, a keyframe every
 * `keyint`) and returns one Annex B access unit per frame, with 4-byte start codes (the form the depacketizer gives
 * back). Access units are cut at the access unit delimiters x264 is asked to write.
 */
export function encodeH264TestPattern(
  width: number,
  height: number,
  frames: number,
  fps: number,
  keyint: number,
): Buffer[] {
  const stream = execFileSync(
    FFMPEG,
    [
      '-hide_banner',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${width}x${height}:rate=${fps}`,
      '-frames:v',
      String(frames),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-bf',
      '0',
      '-g',
      String(keyint),
      '-pix_fmt',
      'yuv420p',
      '-x264-params',
      'aud=1',
      '-f',
      'h264',
      '-',
    ],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const units: Buffer[][] = [];
  for (const nal of splitNals(stream)) {
    if ((nal[0]! & 0x1f) === 9 || units.length === 0) units.push([]);
    units[units.length - 1]!.push(Buffer.from([0, 0, 0, 1]), nal);
  }
  return units.map((parts) => Buffer.concat(parts));
}

/** NAL units of an Annex B stream (3- or 4-byte start codes). */
function splitNals(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      ends.push(i > 0 && stream[i - 1] === 0 ? i - 1 : i);
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => stream.subarray(s, k + 1 < starts.length ? ends[k + 1] : stream.length));
}

/** Decodes H.264 access units (Annex B, in order) with ffmpeg; throws on a decoder error. */
export function decodeH264(units: readonly Buffer[]): DecodedFrame[] {
  const dir = mkdtempSync(join(tmpdir(), 'concord-h264-rx-'));
  try {
    const file = join(dir, 'rx.h264');
    writeFileSync(file, Buffer.concat(units));
    execFileSync(FFMPEG, ['-hide_banner', '-v', 'error', '-xerror', '-f', 'h264', '-i', file, '-f', 'null', '-'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return probeFrames(['-f', 'h264'], file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
