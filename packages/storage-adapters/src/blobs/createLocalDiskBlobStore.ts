import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, type FileHandle, link, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  BlobCorruptError,
  BlobExistsError,
  BlobRangeNotSatisfiableError,
  BlobStoreClosedError,
  InvalidBlobArgumentError,
  InvalidBlobKeyError,
} from './BlobError.js';
import type { BlobBody, BlobInfo, BlobPutOptions, BlobRange, BlobReadResult, BlobStore } from './BlobStore.js';
import { decodeBlobSidecar, encodeBlobSidecar } from './blobSidecar.js';
import { DIMENSION_SCAN_BYTES, readImageDimensions } from './readImageDimensions.js';
import { receiveBlobBody } from './receiveBlobBody.js';
import { resolveBlobPath } from './resolveBlobPath.js';
import { contentTypeEssence, normalizeContentType, resolveContentType } from './resolveContentType.js';
import { SNIFF_BYTES, sniffContentType } from './sniffContentType.js';
import { validateBlobKey } from './validateBlobKey.js';

export interface LocalDiskBlobStoreOptions {
  /** Root folder; created if missing. Holds `data/<key>`, `meta/<key>.json` and `tmp/` (uploads in progress). */
  directory: string;
  /** Largest accepted body in bytes, unless a put says otherwise. Default 25 MiB, Discord's free upload limit. */
  maxBytes?: number;
  /** Accepted types (`image/png`, or `image/*`), checked against the final type; absent, any type is accepted. */
  allowedContentTypes?: readonly string[];
}

export const LOCAL_DISK_BLOB_STORE_DEFAULTS = {
  maxBytes: 25 * 1024 * 1024,
} as const satisfies Required<Pick<LocalDiskBlobStoreOptions, 'maxBytes'>>;

const MAX_FILENAME_LENGTH = 255;
// Control characters would corrupt the Content-Disposition header the filename is served in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkMaxBytes(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidBlobArgumentError(`${what} must be a non-negative safe integer`);
  }
  return value;
}

function checkFilename(filename: unknown): string {
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > MAX_FILENAME_LENGTH) {
    throw new InvalidBlobArgumentError(`filename must be a string of 1..${MAX_FILENAME_LENGTH} characters`);
  }
  if (CONTROL.test(filename)) throw new InvalidBlobArgumentError('filename must not contain control characters');
  return filename;
}

const errorCode = (error: unknown): string | undefined =>
  error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** 'a' stored as a file and then 'a/b' put (or the reverse): the filesystem says ENOTDIR, EISDIR or EEXIST. */
function keyConflict(error: unknown, key: string, codes: readonly string[] = ['ENOTDIR', 'EISDIR']): unknown {
  const code = errorCode(error);
  return code !== undefined && codes.includes(code)
    ? new InvalidBlobKeyError(`blob key ${key} conflicts with an existing key's path`, { cause: error })
    : error;
}

/**
 * Blobs as files under `directory`. A put streams into `tmp/`, then publishes the data with a no-clobber hard link
 * (copy when the filesystem has no links) and the metadata with a rename: the metadata is the commit point, so a
 * failed, oversized or refused upload leaves nothing visible and its temp files are removed. A crash between the two
 * steps leaves a data file without metadata: invisible, and removed by `delete(key)`.
 */
export function createLocalDiskBlobStore(options: LocalDiskBlobStoreOptions): BlobStore {
  if (typeof options?.directory !== 'string' || options.directory.length === 0) {
    throw new InvalidBlobArgumentError('directory must be a non-empty string');
  }
  const root = resolve(options.directory);
  const dataRoot = join(root, 'data');
  const metaRoot = join(root, 'meta');
  const tmpRoot = join(root, 'tmp');
  const storeMaxBytes = checkMaxBytes(options.maxBytes ?? LOCAL_DISK_BLOB_STORE_DEFAULTS.maxBytes, 'maxBytes');
  const allowed = options.allowedContentTypes;
  let closed = false;

  const checkOpen = (): void => {
    if (closed) throw new BlobStoreClosedError();
  };

  async function readInfo(key: string): Promise<BlobInfo | null> {
    let text: string;
    try {
      text = await readFile(resolveBlobPath(metaRoot, key, '.json'), 'utf8');
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    return decodeBlobSidecar(text, key);
  }

  async function publish(key: string, tmpData: string, tmpMeta: string): Promise<void> {
    const dataPath = resolveBlobPath(dataRoot, key);
    const metaPath = resolveBlobPath(metaRoot, key, '.json');
    try {
      await mkdir(dirname(dataPath), { recursive: true });
      await mkdir(dirname(metaPath), { recursive: true });
    } catch (error) {
      throw keyConflict(error, key, ['ENOTDIR', 'EEXIST']);
    }
    try {
      await link(tmpData, dataPath);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') throw new BlobExistsError(key, { cause: error });
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
        throw keyConflict(error, key);
      }
      // No hard links here (FAT, some network mounts): an exclusive copy is still no-clobber.
      await copyFile(tmpData, dataPath, constants.COPYFILE_EXCL).catch((copyError: unknown) => {
        throw errorCode(copyError) === 'EEXIST' ? new BlobExistsError(key, { cause: copyError }) : copyError;
      });
    }
    try {
      await rename(tmpMeta, metaPath);
    } catch (error) {
      await removeQuietly(dataPath);
      throw keyConflict(error, key);
    }
  }

  return {
    async put(key: string, body: BlobBody, putOptions: BlobPutOptions): Promise<BlobInfo> {
      checkOpen();
      validateBlobKey(key);
      const filename = checkFilename(putOptions?.filename);
      const maxBytes = checkMaxBytes(putOptions.maxBytes ?? storeMaxBytes, 'maxBytes');
      const declared = putOptions.contentType === undefined ? undefined : normalizeContentType(putOptions.contentType);
      // Refuse before reading a byte when the key is taken; the link in publish() settles races.
      if ((await readInfo(key)) !== null) throw new BlobExistsError(key);

      await mkdir(tmpRoot, { recursive: true });
      const stem = join(tmpRoot, randomBytes(12).toString('hex'));
      const tmpData = `${stem}.data`;
      const tmpMeta = `${stem}.meta`;
      let handle: FileHandle | undefined;
      try {
        handle = await open(tmpData, 'wx');
        let contentType = 'application/octet-stream';
        const received = await receiveBlobBody(body, handle, {
          maxBytes,
          headBytes: DIMENSION_SCAN_BYTES,
          sniffBytes: SNIFF_BYTES,
          onHead: (head, complete) => {
            contentType = resolveContentType({ declared, sniffed: sniffContentType(head, complete), allowed });
          },
        });
        // Durable before it becomes visible: a crash after the rename must not expose an empty or partial file.
        await handle.sync();
        await handle.close();
        handle = undefined;
        const dimensions = contentTypeEssence(contentType).startsWith('image/')
          ? readImageDimensions(received.head)
          : undefined;
        const info: BlobInfo = {
          key,
          size: received.size,
          contentType,
          filename,
          sha256: received.sha256,
          ...(dimensions !== undefined && { width: dimensions.width, height: dimensions.height }),
          // Whole seconds: Last-Modified and If-Modified-Since have no finer resolution, so comparisons stay exact.
          createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
        };
        await writeFile(tmpMeta, encodeBlobSidecar(info), { flag: 'wx' });
        await publish(key, tmpData, tmpMeta);
        return info;
      } finally {
        await handle?.close().catch(() => undefined);
        await removeQuietly(tmpData);
        await removeQuietly(tmpMeta);
      }
    },

    async stat(key: string): Promise<BlobInfo | null> {
      checkOpen();
      validateBlobKey(key);
      return readInfo(key);
    },

    async get(key: string, range?: BlobRange): Promise<BlobReadResult | null> {
      checkOpen();
      validateBlobKey(key);
      const info = await readInfo(key);
      if (info === null) return null;
      if (range !== undefined) {
        const { start, end } = range;
        if (
          !Number.isSafeInteger(start) ||
          !Number.isSafeInteger(end) ||
          start < 0 ||
          start > end ||
          end >= info.size
        ) {
          throw new BlobRangeNotSatisfiableError(info.size);
        }
      }
      let handle: FileHandle;
      try {
        handle = await open(resolveBlobPath(dataRoot, key), 'r');
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
      const { size } = await handle.stat().catch(async (error: unknown) => {
        await handle.close();
        throw error;
      });
      if (size !== info.size) {
        await handle.close();
        throw new BlobCorruptError(`blob ${key} has ${size} bytes on disk, its metadata says ${info.size}`);
      }
      const body = handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
      return { info, body };
    },

    async delete(key: string): Promise<boolean> {
      checkOpen();
      validateBlobKey(key);
      // Metadata first: the blob disappears at once, and a data file orphaned by a crash is removed all the same.
      let existed = true;
      try {
        await unlink(resolveBlobPath(metaRoot, key, '.json'));
      } catch (error) {
        const code = errorCode(error);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        existed = false;
      }
      await unlink(resolveBlobPath(dataRoot, key)).catch((error: unknown) => {
        const code = errorCode(error);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      });
      return existed;
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
