import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Service <token>` against the configured service tokens in constant time (each compared as
 * its SHA-256, so lengths never leak either). Several tokens: rotation without downtime.
 */
export function serviceTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  if (tokens.length === 0) throw new RangeError('at least one service token is needed');
  for (const t of tokens)
    if (typeof t !== 'string' || t.length < 32) throw new RangeError('a service token has at least 32 characters');
  const digests = tokens.map(digest);
  return (authorization) => {
    if (typeof authorization !== 'string' || authorization.length > 1024) return false;
    const match = /^Service ([\x21-\x7e]+)$/.exec(authorization);
    if (!match) return false;
    const presented = digest(match[1]!);
    let ok = false;
    // Every token compared, whichever matches: the time does not say which one did.
    for (const d of digests) ok = timingSafeEqual(d, presented) || ok;
    return ok;
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
