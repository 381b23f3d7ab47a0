// IVF, the container libvpx and ffmpeg read and write VP8 in: a 32-byte file header, then per frame a 12-byte header
// (size, 64-bit pts) and the frame. Enough of it to hand encoded test frames to the VoiceClient and received frames
// back to ffmpeg.

export interface IvfFrame {
  pts: number;
  data: Buffer;
}

export interface IvfFile {
  fourcc: string;
  width: number;
  height: number;
  /** Time base: pts are in units of `timebaseNum / timebaseDen` seconds. */
  timebaseDen: number;
  timebaseNum: number;
  frames: IvfFrame[];
}

export function readIvf(file: Buffer): IvfFile {
  if (file.length < 32 || file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const headerSize = file.readUInt16LE(6);
  const out: IvfFile = {
    fourcc: file.toString('latin1', 8, 12),
    width: file.readUInt16LE(12),
    height: file.readUInt16LE(14),
    timebaseDen: file.readUInt32LE(16),
    timebaseNum: file.readUInt32LE(20),
    frames: [],
  };
  for (let at = headerSize; at + 12 <= file.length; ) {
    const size = file.readUInt32LE(at);
    const pts = Number(file.readBigUInt64LE(at + 4));
    if (at + 12 + size > file.length) throw new Error(`IVF frame of ${size} bytes past the end`);
    out.frames.push({ pts, data: file.subarray(at + 12, at + 12 + size) });
    at += 12 + size;
  }
  return out;
}

export function writeIvf(file: Omit<IvfFile, 'frames'>, frames: readonly IvfFrame[]): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write(file.fourcc, 8, 'latin1');
  header.writeUInt16LE(file.width, 12);
  header.writeUInt16LE(file.height, 14);
  header.writeUInt32LE(file.timebaseDen, 16);
  header.writeUInt32LE(file.timebaseNum, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  for (const frame of frames) {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(frame.data.length, 0);
    h.writeBigUInt64LE(BigInt(frame.pts), 4);
    parts.push(h, frame.data);
  }
  return Buffer.concat(parts);
}
