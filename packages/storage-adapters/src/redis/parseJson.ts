import { CorruptDataError } from '../errors/index.js';

/** JSON read back from Redis; anything unparsable is CORRUPT, never a bare SyntaxError. */
export function parseJson<T>(raw: string, what: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw new CorruptDataError(`${what}: stored value is not JSON`, { cause: err });
  }
}
