// Real VP8 for the Go Live test: a screen-sized test pattern encoded by ffmpeg (libvpx) into IVF, and ffmpeg decoding
// what a viewer received. Under CI=true a missing ffmpeg is an error, not a skip (.ci/services/ffmpeg.sh installs it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const FFMPEG = process.env.FFMPEG_BIN ?? '/usr/bin/ffmpeg';

export function ffmpegAvailable(): boolean {
  const available =
    existsSync(FFMPEG) &&
    spawnSync(FFMPEG, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout?.includes('libvpx') === true;
  if (!available) {
    if (process.env.CI === 'true') throw new Error(`${FFMPEG} with libvpx is missing (bash .ci/services/ffmpeg.sh)`);
    console.warn(`[chat-server] skipping the real-VP8 Go Live test: ${FFMPEG} with libvpx is missing`);
  }
  return available;
}

const IVF_HEADER = 32;
const IVF_FRAME_HEADER = 12;

/** The frames of an IVF file (header: "DKIF", then per frame a u32 LE size and a u64 pts). */
function readIvf(file: Buffer): Buffer[] {
  if (file.length < IVF_HEADER || file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  for (let at = file.readUInt16LE(6); at + IVF_FRAME_HEADER <= file.length; ) {
    const size = file.readUInt32LE(at);
    const start = at + IVF_FRAME_HEADER;
    if (start + size > file.length) throw new Error('truncated IVF frame');
    frames.push(file.subarray(start, start + size));
    at = start + size;
  }
  return frames;
}

function writeIvf(frames: readonly Buffer[], width: number, height: number): Buffer {
  const header = Buffer.alloc(IVF_HEADER);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(IVF_HEADER, 6);
  header.write('VP80', 8, 'latin1');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(15, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  frames.forEach((frame, i) => {
    const head = Buffer.alloc(IVF_FRAME_HEADER);
    head.writeUInt32LE(frame.length, 0);
    head.writeBigUInt64LE(BigInt(i), 4);
    parts.push(head, frame);
  });
  return Buffer.concat(parts);
}

/** `count` VP8 frames of ffmpeg's moving test pattern at `width`×`height`, a keyframe every 10. */
export function encodeScreen(width: number, height: number, count: number): Buffer[] {
  const run = spawnSync(
    FFMPEG,
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=15`],
      ...['-frames:v', String(count), '-c:v', 'libvpx', '-b:v', '1M', '-g', '10', '-deadline', 'realtime'],
      ...['-cpu-used', '8', '-f', 'ivf', 'pipe:1'],
    ],
    { maxBuffer: 64 * 2 ** 20 },
  );
  if (run.status !== 0) throw new Error(`ffmpeg encode failed: ${run.stderr}`);
  return readIvf(run.stdout);
}

/** Decodes VP8 frames with ffmpeg; returns how many frames of exactly `width`×`height` came out. */
export function decodedFrames(frames: readonly Buffer[], width: number, height: number): number {
  const run = spawnSync(
    FFMPEG,
    ['-hide_banner', '-loglevel', 'error', '-f', 'ivf', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    { input: writeIvf(frames, width, height), maxBuffer: 256 * 2 ** 20 },
  );
  if (run.status !== 0) throw new Error(`ffmpeg decode failed: ${run.stderr}`);
  const pixels = width * height;
  if (run.stdout.length % pixels !== 0) throw new Error(`decoded ${run.stdout.length} bytes: not ${width}x${height}`);
  return run.stdout.length / pixels;
}
