import { resolve, sep } from 'node:path';
import { InvalidBlobKeyError } from './BlobError.js';
import { validateBlobKey } from './validateBlobKey.js';

/**
 * The absolute path of `key` (plus `suffix`) under `root`. The key is validated, and the result is checked to lie
 * inside `root` as well: defence in depth, so a future loosening of the key rules cannot turn into a path escape.
 */
export function resolveBlobPath(root: string, key: string, suffix = ''): string {
  validateBlobKey(key);
  const base = resolve(root);
  const path = resolve(base, `${key}${suffix}`);
  if (!path.startsWith(base + sep)) throw new InvalidBlobKeyError('blob key resolves outside the store');
  return path;
}
