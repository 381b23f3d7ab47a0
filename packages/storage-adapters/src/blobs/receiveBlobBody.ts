import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { BlobTooLargeError, InvalidBlobArgumentError } from './BlobError.js';
import type { BlobBody } from './BlobStore.js';

export interface ReceiveOptions {
  maxBytes: number;
  /** How many leading bytes to keep in memory (for sniffing and image headers); the rest only goes to disk. */
  headBytes: number;
  /** Leading bytes needed before `onHead` is called; it is called sooner when the body ends first. */
  sniffBytes: number;
  /** Called once with the head (and whether it is the whole body); throwing aborts the upload early. */
  onHead: (head: Uint8Array, complete: boolean) => void;
}

export interface ReceivedBody {
  size: number;
  sha256: string;
  head: Uint8Array;
}

async function* chunksOf(body: BlobBody): AsyncIterable<unknown> {
  if (body instanceof Uint8Array) yield body;
  else if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) yield* body;
  else throw new InvalidBlobArgumentError('blob body must be a Uint8Array, an async iterable or a Readable');
}

async function writeAll(sink: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await sink.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Streams `body` into `sink`, hashing as it goes and keeping only the first `headBytes` in memory. Throws
 * BlobTooLargeError as soon as the running size passes `maxBytes`, before writing that chunk; leaving the `for await`
 * early calls the iterator's `return()`, which destroys a Readable, so the rest of the upload is never read.
 */
export async function receiveBlobBody(
  body: BlobBody,
  sink: FileHandle,
  options: ReceiveOptions,
): Promise<ReceivedBody> {
  const { maxBytes, headBytes, sniffBytes, onHead } = options;
  if (body instanceof Uint8Array && body.length > maxBytes) throw new BlobTooLargeError(maxBytes);
  const hash = createHash('sha256');
  const headChunks: Uint8Array[] = [];
  let headLength = 0;
  let size = 0;
  let headSeen = false;
  for await (const chunk of chunksOf(body)) {
    if (!(chunk instanceof Uint8Array)) {
      throw new InvalidBlobArgumentError('blob body yielded a non-binary chunk (a Readable with an encoding set?)');
    }
    size += chunk.length;
    if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
    if (headLength < headBytes) {
      const part = chunk.subarray(0, headBytes - headLength);
      // Copied: the caller may reuse its buffer once the next chunk is asked for.
      headChunks.push(Uint8Array.from(part));
      headLength += part.length;
    }
    if (!headSeen && headLength >= sniffBytes) {
      headSeen = true;
      onHead(concat(headChunks, headLength), false);
    }
    hash.update(chunk);
    await writeAll(sink, chunk);
  }
  const head = concat(headChunks, headLength);
  if (!headSeen) onHead(head, true);
  return { size, sha256: hash.digest('hex'), head };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
