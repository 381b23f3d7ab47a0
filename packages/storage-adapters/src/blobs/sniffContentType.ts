/** How many leading bytes sniffContentType looks at; the store sniffs once it has this many (or the whole body). */
export const SNIFF_BYTES = 512;

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean => {
  if (offset + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
};

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  prefix.length <= bytes.length && prefix.every((byte, i) => bytes[i] === byte);

/** ISO base media (`ftyp` box) major brands → type. Unknown brands give no answer rather than a guess. */
const FTYP_BRANDS: Readonly<Record<string, string>> = {
  'qt  ': 'video/quicktime',
  isom: 'video/mp4',
  iso2: 'video/mp4',
  iso4: 'video/mp4',
  iso5: 'video/mp4',
  iso6: 'video/mp4',
  mp41: 'video/mp4',
  mp42: 'video/mp4',
  avc1: 'video/mp4',
  dash: 'video/mp4',
  mmp4: 'video/mp4',
  'M4V ': 'video/mp4',
  'M4A ': 'audio/mp4',
  '3gp4': 'video/3gpp',
  '3gp5': 'video/3gpp',
  '3gp6': 'video/3gpp',
  avif: 'image/avif',
  avis: 'image/avif',
};

const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function sniffBinary(b: Uint8Array): string | undefined {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE')) return 'audio/wav';
  // 'BM' alone is too weak (plenty of text starts so): also require the reserved zeros and a known DIB header size.
  if (ascii(b, 0, 'BM') && b.length >= 18 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) {
    const dibSize = b[14]! | (b[15]! << 8) | (b[16]! << 16) | (b[17]! << 24);
    if (BMP_HEADER_SIZES.has(dibSize)) return 'image/bmp';
  }
  if (ascii(b, 0, '%PDF-')) return 'application/pdf';
  if (ascii(b, 4, 'ftyp') && b.length >= 12) {
    const brand = String.fromCharCode(b[8]!, b[9]!, b[10]!, b[11]!);
    return FTYP_BRANDS[brand];
  }
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: the DocType string says WebM or Matroska; it sits in the first few dozen bytes.
    for (let i = 4; i + 4 <= Math.min(b.length, 64); i++) if (ascii(b, i, 'webm')) return 'video/webm';
    return 'video/x-matroska';
  }
  if (ascii(b, 0, 'OggS')) {
    // The first page's packet names the codec, at offset 28 after the 27-byte header and a 1-byte segment table.
    if (ascii(b, 28, 'OpusHead') || ascii(b, 28, '\x01vorbis')) return 'audio/ogg';
    if (ascii(b, 28, '\x80theora')) return 'video/ogg';
    return 'application/ogg';
  }
  if (ascii(b, 0, 'fLaC')) return 'audio/flac';
  if (ascii(b, 0, 'ID3')) return 'audio/mpeg';
  // An MPEG audio layer III frame header: 11 sync bits, then version != reserved and layer == III.
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe6) === 0xe2 && (b[1]! & 0x18) !== 0x08) return 'audio/mpeg';
  if (startsWith(b, [0x50, 0x4b]) && (startsWith(b.subarray(2), [3, 4]) || startsWith(b.subarray(2), [5, 6]))) {
    return 'application/zip';
  }
  return undefined;
}

/**
 * Plain text: valid UTF-8 with no control characters but tab, newlines and form feed. When `complete` is false the
 * head may end mid-character, which is not held against it.
 */
function looksLikeText(head: Uint8Array, complete: boolean): boolean {
  if (head.length === 0) return false;
  for (const byte of head) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f) {
      return false;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * The type the leading bytes show, from magic numbers (PNG, JPEG, GIF, WebP, BMP, PDF, MP4/MOV, WebM, OGG, FLAC, MP3,
 * WAV, ZIP), else `text/plain; charset=utf-8` for clean UTF-8, else undefined. Reads at most SNIFF_BYTES bytes.
 * `complete` says whether `head` is the whole body (only the text check cares).
 */
export function sniffContentType(head: Uint8Array, complete = true): string | undefined {
  const bytes = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  const binary = sniffBinary(bytes);
  if (binary !== undefined) return binary;
  return looksLikeText(bytes, complete && head.length <= SNIFF_BYTES) ? 'text/plain; charset=utf-8' : undefined;
}
