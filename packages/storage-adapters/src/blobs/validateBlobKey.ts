import { InvalidBlobKeyError } from './BlobError.js';

/** Bounds on keys: short enough for every filesystem's path limits once joined under the store's directory. */
export const BLOB_KEY_LIMITS = {
  maxLength: 512,
  maxSegments: 16,
  maxSegmentLength: 200,
} as const satisfies Record<string, number>;

// Only portable filename characters: no separators other than '/', no '%', no NUL, no ':' (drive letters, streams).
const SEGMENT = /^[A-Za-z0-9._-]+$/;
// Segments of dots only ('.', '..', '...') walk or alias directories on some systems; none is a meaningful name.
const DOTS_ONLY = /^\.+$/;
// Windows opens devices for these names whatever the extension; refusing them everywhere keeps stores portable.
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Returns `key` when it is a safe relative path: 1..maxSegments segments joined by single '/', each of
 * [A-Za-z0-9._-], none dots-only or a Windows device name, no leading or trailing '/'. Throws InvalidBlobKeyError.
 * Nothing is decoded or normalised here: the caller decodes once (the HTTP handler), so `%2e%2e` stays invalid.
 */
export function validateBlobKey(key: unknown): string {
  if (typeof key !== 'string') throw new InvalidBlobKeyError('blob key must be a string');
  if (key.length === 0) throw new InvalidBlobKeyError('blob key is empty');
  if (key.length > BLOB_KEY_LIMITS.maxLength) {
    throw new InvalidBlobKeyError(`blob key is longer than ${BLOB_KEY_LIMITS.maxLength} characters`);
  }
  const segments = key.split('/');
  if (segments.length > BLOB_KEY_LIMITS.maxSegments) {
    throw new InvalidBlobKeyError(`blob key has more than ${BLOB_KEY_LIMITS.maxSegments} segments`);
  }
  for (const segment of segments) {
    if (segment.length === 0) throw new InvalidBlobKeyError('blob key has an empty segment (leading, trailing or //)');
    if (segment.length > BLOB_KEY_LIMITS.maxSegmentLength) {
      throw new InvalidBlobKeyError(`blob key segment is longer than ${BLOB_KEY_LIMITS.maxSegmentLength} characters`);
    }
    if (!SEGMENT.test(segment)) throw new InvalidBlobKeyError('blob key segment has characters outside [A-Za-z0-9._-]');
    if (DOTS_ONLY.test(segment)) throw new InvalidBlobKeyError('blob key segment is only dots');
    if (WINDOWS_DEVICE.test(segment)) throw new InvalidBlobKeyError('blob key segment is a reserved device name');
  }
  return key;
}

/** True when validateBlobKey accepts `key`. */
export function isValidBlobKey(key: unknown): key is string {
  try {
    validateBlobKey(key);
    return true;
  } catch {
    return false;
  }
}
