import type { Readable } from 'node:stream';

/** What a blob's bytes may be given as: whole, or streamed (a Readable is read chunk by chunk, never buffered whole). */
export type BlobBody = Uint8Array | AsyncIterable<Uint8Array> | Readable;

export interface BlobPutOptions {
  /** The uploader's declared type. A declared `image/*` must agree with the bytes; absent, the sniffed type is used. */
  contentType?: string;
  /** The original file name, served back in Content-Disposition. Metadata only: never used as a path. */
  filename: string;
  /** Overrides the store's limit for this upload (a boosted guild's larger limit, say). */
  maxBytes?: number;
}

export interface BlobInfo {
  key: string;
  size: number;
  /** The type served: declared (when the bytes do not contradict it), else sniffed, else application/octet-stream. */
  contentType: string;
  filename: string;
  /** Lower-case hex SHA-256 of the bytes; the HTTP handler's ETag. */
  sha256: string;
  /** Pixel size, for PNG, JPEG, GIF and WebP images whose header could be read. */
  width?: number;
  height?: number;
  createdAt: Date;
}

/** Inclusive byte offsets, as in HTTP's `Range: bytes=start-end`. */
export interface BlobRange {
  start: number;
  end: number;
}

export interface BlobReadResult {
  info: BlobInfo;
  /** The requested bytes. Consume it or destroy it: it holds an open file until then. */
  body: Readable;
}

/**
 * Attachment storage. Keys are relative, path-like strings (`channelId/attachmentId/filename`, validated by
 * validateBlobKey); a key is written once, as attachments are immutable.
 */
export interface BlobStore {
  /** Stores the body under `key`. Throws BlobExistsError, BlobTooLargeError, BlobContentTypeError, InvalidBlobKeyError. */
  put(key: string, body: BlobBody, options: BlobPutOptions): Promise<BlobInfo>;
  /** The blob's metadata, or null when there is none. */
  stat(key: string): Promise<BlobInfo | null>;
  /** The blob's bytes (all, or an inclusive range), or null when there is none. */
  get(key: string, range?: BlobRange): Promise<BlobReadResult | null>;
  /** True when a blob was removed. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}
