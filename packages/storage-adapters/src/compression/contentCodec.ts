import * as zlib from 'node:zlib';
import { CorruptDataError, InvalidArgumentError } from '../errors/index.js';

export type CompressionMode = 'none' | 'deflate' | 'zstd';

/** How a stored content value is encoded; kept in the row (`enc` column) so modes can change without a rewrite. */
export const ContentEncoding = {
  Plain: 0,
  DeflateRaw: 1,
  Zstd: 2,
} as const;

export interface EncodedContent {
  /** Plain text (enc = 0) or '' when compressed. */
  text: string;
  /** Compressed bytes, or null when stored plain. */
  bytes: Buffer | null;
  enc: number;
}

export interface CompressionOptions {
  compression?: CompressionMode;
  /** Contents shorter than this many UTF-8 bytes stay plain (default 160): deflate cannot win on short chat lines. */
  compressionThreshold?: number;
}

export interface ContentCodec {
  readonly mode: CompressionMode;
  encode(content: string): EncodedContent;
  decode(text: string, bytes: Uint8Array | null, enc: number): string;
}

type ZstdZlib = typeof zlib & {
  zstdCompressSync?: (buf: Buffer) => Buffer;
  zstdDecompressSync?: (buf: Uint8Array) => Buffer;
};
const z = zlib as ZstdZlib;

/** Whether this Node has zstd in node:zlib (Node >= 22.15 / 23.8). */
export function zstdAvailable(): boolean {
  return typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function';
}

export const DEFAULT_COMPRESSION_THRESHOLD = 160;

/**
 * Builds the content codec of a store. Compressed output is kept only when smaller than the plain UTF-8, so enabling
 * compression never makes a row bigger; every row says how it was written, so reads never depend on the current mode.
 */
export function createContentCodec(options: CompressionOptions = {}): ContentCodec {
  const mode = options.compression ?? 'none';
  if (mode !== 'none' && mode !== 'deflate' && mode !== 'zstd') {
    throw new InvalidArgumentError(`unknown compression mode ${String(mode)}`);
  }
  if (mode === 'zstd' && !zstdAvailable()) {
    throw new InvalidArgumentError('zstd compression needs node:zlib zstd (Node >= 22.15); use "deflate"');
  }
  const threshold = options.compressionThreshold ?? DEFAULT_COMPRESSION_THRESHOLD;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new InvalidArgumentError('compressionThreshold must be a non-negative integer');
  }
  return {
    mode,
    encode(content) {
      if (mode === 'none' || content.length === 0) return { text: content, bytes: null, enc: ContentEncoding.Plain };
      const plain = Buffer.from(content, 'utf8');
      if (plain.length < threshold) return { text: content, bytes: null, enc: ContentEncoding.Plain };
      const packed =
        mode === 'deflate'
          ? zlib.deflateRawSync(plain, { level: 6 })
          : (z.zstdCompressSync as (b: Buffer) => Buffer)(plain);
      if (packed.length >= plain.length) return { text: content, bytes: null, enc: ContentEncoding.Plain };
      return { text: '', bytes: packed, enc: mode === 'deflate' ? ContentEncoding.DeflateRaw : ContentEncoding.Zstd };
    },
    decode(text, bytes, enc) {
      if (enc === ContentEncoding.Plain) return text;
      if (!bytes) throw new CorruptDataError(`content encoding ${enc} without compressed bytes`);
      try {
        if (enc === ContentEncoding.DeflateRaw) return zlib.inflateRawSync(bytes).toString('utf8');
        if (enc === ContentEncoding.Zstd && zstdAvailable()) {
          return (z.zstdDecompressSync as (b: Uint8Array) => Buffer)(bytes).toString('utf8');
        }
      } catch (err) {
        throw new CorruptDataError('compressed content cannot be decoded', { cause: err });
      }
      throw new CorruptDataError(`unsupported content encoding ${enc}`);
    },
  };
}
