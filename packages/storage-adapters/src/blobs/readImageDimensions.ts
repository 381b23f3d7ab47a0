// Pixel sizes from image headers, for the attachment `width`/`height` Discord reports. Own parser rather than a
// library: four formats need about a hundred lines, and every read goes through one bounds-checked, counted reader,
// so hostile bytes cost bounded time and memory, and a truncated or corrupt header gives undefined, never a throw.

/** The most leading bytes looked at. A JPEG's frame header may follow EXIF/ICC segments of up to 64 KiB each. */
export const DIMENSION_SCAN_BYTES = 256 * 1024;
/**
 * Upper bound on the reader's byte reads for any input. Only the JPEG marker walk depends on the length, and each of
 * its steps reads at most twice as many bytes as it moves forward (a one-byte fill and a standalone marker: 4 reads,
 * 2 bytes); the other formats read fixed offsets.
 */
export const MAX_DIMENSION_READS = 2 * DIMENSION_SCAN_BYTES + 64;

export interface ImageDimensions {
  width: number;
  height: number;
}

/** Bounds-checked little/big-endian reads that return undefined past the end, and count themselves. */
class ByteReader {
  public reads = 0;

  public constructor(private readonly bytes: Uint8Array) {}

  public u8(offset: number): number | undefined {
    this.reads++;
    return offset >= 0 && offset < this.bytes.length ? this.bytes[offset] : undefined;
  }

  public u16be(offset: number): number | undefined {
    const a = this.u8(offset);
    const b = this.u8(offset + 1);
    return a === undefined || b === undefined ? undefined : (a << 8) | b;
  }

  public u16le(offset: number): number | undefined {
    const a = this.u8(offset);
    const b = this.u8(offset + 1);
    return a === undefined || b === undefined ? undefined : a | (b << 8);
  }

  public u24le(offset: number): number | undefined {
    const low = this.u16le(offset);
    const high = this.u8(offset + 2);
    return low === undefined || high === undefined ? undefined : low + high * 0x10000;
  }

  public u32be(offset: number): number | undefined {
    const high = this.u16be(offset);
    const low = this.u16be(offset + 2);
    return high === undefined || low === undefined ? undefined : high * 0x10000 + low;
  }

  public u32le(offset: number): number | undefined {
    const low = this.u16le(offset);
    const high = this.u16le(offset + 2);
    return low === undefined || high === undefined ? undefined : high * 0x10000 + low;
  }

  public ascii(offset: number, text: string): boolean {
    for (let i = 0; i < text.length; i++) if (this.u8(offset + i) !== text.charCodeAt(i)) return false;
    return true;
  }
}

const dimensions = (width: number | undefined, height: number | undefined): ImageDimensions | undefined =>
  width !== undefined && height !== undefined && width > 0 && height > 0 && width <= 0x7fffffff && height <= 0x7fffffff
    ? { width, height }
    : undefined;

function png(r: ByteReader): ImageDimensions | undefined {
  // Signature (8), then the IHDR chunk: length (4) must be 13, type 'IHDR', width and height big-endian.
  if (r.u32be(8) !== 13 || !r.ascii(12, 'IHDR')) return undefined;
  return dimensions(r.u32be(16), r.u32be(20));
}

function gif(r: ByteReader): ImageDimensions | undefined {
  return dimensions(r.u16le(6), r.u16le(8));
}

function webp(r: ByteReader): ImageDimensions | undefined {
  if (r.ascii(12, 'VP8 ')) {
    // Lossy: a 3-byte frame tag at 20, the start code 9d 01 2a, then 14-bit width and height (2 scale bits above).
    if (r.u8(23) !== 0x9d || r.u8(24) !== 0x01 || r.u8(25) !== 0x2a) return undefined;
    const width = r.u16le(26);
    const height = r.u16le(28);
    return width === undefined || height === undefined ? undefined : dimensions(width & 0x3fff, height & 0x3fff);
  }
  if (r.ascii(12, 'VP8L')) {
    // Lossless: signature 0x2f, then width-1 and height-1 as two 14-bit fields, little-endian bit order.
    if (r.u8(20) !== 0x2f) return undefined;
    const bits = r.u32le(21);
    if (bits === undefined) return undefined;
    return dimensions((bits & 0x3fff) + 1, (Math.floor(bits / 0x4000) & 0x3fff) + 1);
  }
  if (r.ascii(12, 'VP8X')) {
    // Extended: flags (4) at 20, then canvas width-1 and height-1 as 24-bit little-endian.
    const width = r.u24le(24);
    const height = r.u24le(27);
    return width === undefined || height === undefined ? undefined : dimensions(width + 1, height + 1);
  }
  return undefined;
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range but do not. */
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(r: ByteReader, length: number): ImageDimensions | undefined {
  let offset = 2;
  // Every step moves `offset` forward by at least one byte, so the loop ends within `length` steps.
  while (offset < length) {
    if (r.u8(offset) !== 0xff) return undefined;
    while (r.u8(offset) === 0xff) offset++; // fill bytes before a marker
    const marker = r.u8(offset);
    if (marker === undefined) return undefined;
    offset++;
    // Standalone markers (TEM, RSTn, a stray SOI) have no length field.
    if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    // End of image, or image data before any frame header: no size to be had.
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const segmentLength = r.u16be(offset);
    if (segmentLength === undefined || segmentLength < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (segmentLength < 7) return undefined;
      // Length (2), sample precision (1), then height and width; a height of 0 (size given later by DNL) is refused.
      return dimensions(r.u16be(offset + 5), r.u16be(offset + 3));
    }
    offset += segmentLength;
  }
  return undefined;
}

/** The dimensions and the number of byte reads it took (the tests bound the latter for arbitrary input). */
export function probeImageDimensions(bytes: Uint8Array): { dimensions: ImageDimensions | undefined; reads: number } {
  const scanned = bytes.length > DIMENSION_SCAN_BYTES ? bytes.subarray(0, DIMENSION_SCAN_BYTES) : bytes;
  const r = new ByteReader(scanned);
  let found: ImageDimensions | undefined;
  if (r.ascii(0, '\x89PNG\r\n\x1a\n')) found = png(r);
  else if (r.u8(0) === 0xff && r.u8(1) === 0xd8) found = jpeg(r, scanned.length);
  else if (r.ascii(0, 'GIF87a') || r.ascii(0, 'GIF89a')) found = gif(r);
  else if (r.ascii(0, 'RIFF') && r.ascii(8, 'WEBP')) found = webp(r);
  return { dimensions: found, reads: r.reads };
}

/**
 * Width and height of a PNG, JPEG, GIF or WebP image from its leading bytes (at most DIMENSION_SCAN_BYTES are read),
 * or undefined for other formats and for truncated or corrupt headers. Never throws. JPEG sizes are the stored ones:
 * EXIF orientation is not applied.
 */
export function readImageDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  return probeImageDimensions(bytes).dimensions;
}
