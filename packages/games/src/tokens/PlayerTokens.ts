import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { PlayerTokenError } from './PlayerTokenError.js';
import { playerTokenDefaults } from './playerTokenDefaults.js';

/** A signing key. Its `id` goes in each token's header (`kid`), so keys can be rotated without refusing live tokens. */
export interface PlayerTokenKey {
  id: string;
  /** At least 32 bytes (RFC 7518 §3.2: an HS256 key is at least as long as the hash). */
  secret: string | Uint8Array;
}

/** What `new PlayerTokens(options)` takes; defaults in playerTokenDefaults.ts. */
export interface PlayerTokensOptions {
  /** The first key signs; all of them verify (add the next key second, then move it first, then drop the old one). */
  keys: readonly PlayerTokenKey[];
  /** `iss` put in issued tokens and required of verified ones. */
  issuer?: string;
  /** `aud` put in issued tokens and required of verified ones. */
  audience?: string;
  ttlMs?: number;
  maxLifetimeMs?: number;
  leewayMs?: number;
  maxTokenLength?: number;
  /** Clock, Unix ms (default `Date.now`). */
  now?: () => number;
}

/** What a valid token says. Times are Unix ms (the token carries seconds). */
export interface PlayerClaims {
  /** The player's user id (`sub`). */
  userId: string;
  issuedAt: number | null;
  expiresAt: number;
  /** `jti`, when the token has one (issued ones do): for revocation lists. */
  tokenId: string | null;
  /** `scope`, when the token has one: what the game backend meant the token for (free text, space-separated). */
  scope: string | null;
}

/** Why a token was refused. */
export type PlayerTokenRefusal =
  | 'malformed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'too_long_lived'
  | 'wrong_issuer'
  | 'wrong_audience';

export type PlayerTokenCheck = { ok: true; claims: PlayerClaims } | { ok: false; reason: PlayerTokenRefusal };

/** What {@link PlayerTokens.issue} takes besides the user id. */
export interface IssueOptions {
  /** Lifetime of this token (default the instance's `ttlMs`), at least 1 s and at most `maxLifetimeMs`. */
  ttlMs?: number;
  scope?: string;
}

const SNOWFLAKE = /^[1-9][0-9]{0,19}$/;
const MAX_SNOWFLAKE = 2n ** 64n - 1n;
const SIGNATURE_BYTES = 32;

/**
 * Short-lived player tokens, as the game backend hands them to its players: compact JWS (RFC 7515) JWTs signed with
 * HS256, so a studio may mint them with any JWT library instead of calling {@link issue}. A player's client sends one
 * where a Discord client sends its token (Identify, `Authorization: Bearer …`); {@link verify} checks it without
 * storage: the signature, the key id, `exp`/`nbf`/`iat` with leeway, the longest lifetime allowed, `iss` and `aud`.
 *
 * Verification is bounded by `maxTokenLength` before anything is decoded, and the claims are parsed only once the
 * signature is good: a forged token costs one HMAC of at most that many bytes.
 */
export class PlayerTokens {
  readonly #signing: { id: string; secret: Buffer };
  readonly #keys = new Map<string, Buffer>();
  readonly #issuer: string | undefined;
  readonly #audience: string | undefined;
  readonly #ttlMs: number;
  readonly #maxLifetimeMs: number;
  readonly #leewayMs: number;
  readonly #maxTokenLength: number;
  readonly #now: () => number;

  constructor(options: PlayerTokensOptions) {
    if (options.keys.length === 0) throw new PlayerTokenError('NO_KEYS', 'at least one signing key is needed');
    for (const key of options.keys) {
      if (typeof key.id !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(key.id))
        throw new PlayerTokenError('INVALID_KEY_ID', 'a key id is 1-64 printable ASCII characters');
      if (this.#keys.has(key.id)) throw new PlayerTokenError('DUPLICATE_KEY_ID', `two keys with the id ${key.id}`);
      if (typeof key.secret !== 'string' && !(key.secret instanceof Uint8Array))
        throw new PlayerTokenError('WEAK_KEY', `key ${key.id} has no secret`);
      const bytes = secretBytes(key.secret);
      if (bytes.length < SIGNATURE_BYTES)
        throw new PlayerTokenError('WEAK_KEY', `key ${key.id} has ${bytes.length} bytes; HS256 needs at least 32`);
      this.#keys.set(key.id, bytes);
    }
    const first = options.keys[0]!;
    this.#signing = { id: first.id, secret: this.#keys.get(first.id)! };
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttlMs = options.ttlMs ?? playerTokenDefaults.ttlMs;
    this.#maxLifetimeMs = options.maxLifetimeMs ?? playerTokenDefaults.maxLifetimeMs;
    this.#leewayMs = options.leewayMs ?? playerTokenDefaults.leewayMs;
    this.#maxTokenLength = options.maxTokenLength ?? playerTokenDefaults.maxTokenLength;
    this.#now = options.now ?? Date.now;
  }

  /** A token for `userId` (a snowflake), signed with the first key. */
  issue(userId: string, options: IssueOptions = {}): string {
    if (!isSnowflake(userId)) throw new PlayerTokenError('INVALID_CLAIMS', 'the user id is not a snowflake');
    const ttlMs = options.ttlMs ?? this.#ttlMs;
    if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > this.#maxLifetimeMs)
      throw new PlayerTokenError('INVALID_CLAIMS', `ttlMs must be between 1000 and ${this.#maxLifetimeMs}`);
    if (options.scope !== undefined && (typeof options.scope !== 'string' || options.scope.length > 256))
      throw new PlayerTokenError('INVALID_CLAIMS', 'scope must be a string of at most 256 characters');
    const iat = Math.floor(this.#now() / 1000);
    const header = encodeBase64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: this.#signing.id }));
    const claims: Record<string, unknown> = {
      sub: userId,
      iat,
      exp: iat + Math.floor(ttlMs / 1000),
      jti: tokenId(),
    };
    if (this.#issuer !== undefined) claims.iss = this.#issuer;
    if (this.#audience !== undefined) claims.aud = this.#audience;
    if (options.scope !== undefined) claims.scope = options.scope;
    const signed = `${header}.${encodeBase64url(JSON.stringify(claims))}`;
    return `${signed}.${sign(this.#signing.secret, signed).toString('base64url')}`;
  }

  /** Checks a token as a client sent it; never throws for what the token contains. */
  verify(token: string): PlayerTokenCheck {
    if (typeof token !== 'string' || token.length > this.#maxTokenLength) return refuse('malformed');
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 1 || secondDot < 0 || token.indexOf('.', secondDot + 1) !== -1) return refuse('malformed');
    const header = parseObject(decodeBase64url(token.slice(0, firstDot)));
    if (header?.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT')) return refuse('malformed');
    // A critical extension we do not know must fail the token (RFC 7515 §4.1.11); we know none.
    if (header.crit !== undefined) return refuse('malformed');
    let secret: Buffer | undefined;
    if (header.kid === undefined) secret = this.#keys.size === 1 ? this.#signing.secret : undefined;
    else if (typeof header.kid === 'string') secret = this.#keys.get(header.kid);
    if (!secret) return refuse('unknown_key');
    const signature = decodeBase64url(token.slice(secondDot + 1));
    if (!signature || signature.length !== SIGNATURE_BYTES) return refuse('malformed');
    if (!timingSafeEqual(signature, sign(secret, token.slice(0, secondDot)))) return refuse('bad_signature');

    const claims = parseObject(decodeBase64url(token.slice(firstDot + 1, secondDot)));
    if (!claims || typeof claims.sub !== 'string' || !isSnowflake(claims.sub)) return refuse('malformed');
    const exp = claims.exp;
    const iat = claims.iat;
    const nbf = claims.nbf;
    if (!isNumericDate(exp) || (iat !== undefined && !isNumericDate(iat)) || (nbf !== undefined && !isNumericDate(nbf)))
      return refuse('malformed');
    if (
      (claims.jti !== undefined && typeof claims.jti !== 'string') ||
      (claims.scope !== undefined && typeof claims.scope !== 'string')
    )
      return refuse('malformed');
    const now = this.#now();
    const leeway = this.#leewayMs;
    if (exp * 1000 + leeway <= now) return refuse('expired');
    if ((nbf !== undefined && nbf * 1000 - leeway > now) || (iat !== undefined && iat * 1000 - leeway > now))
      return refuse('not_yet_valid');
    // Measured from when it was issued (or from now, without iat): a stolen long-lived token is refused outright.
    if (exp * 1000 - (iat !== undefined ? iat * 1000 : now) > this.#maxLifetimeMs) return refuse('too_long_lived');
    if (this.#issuer !== undefined && claims.iss !== this.#issuer) return refuse('wrong_issuer');
    if (this.#audience !== undefined && !hasAudience(claims.aud, this.#audience)) return refuse('wrong_audience');
    return {
      ok: true,
      claims: {
        userId: claims.sub,
        issuedAt: iat !== undefined ? iat * 1000 : null,
        expiresAt: exp * 1000,
        tokenId: (claims.jti as string | undefined) ?? null,
        scope: (claims.scope as string | undefined) ?? null,
      },
    };
  }
}

/** Random bytes drawn from a pool filled 4 KB at a time: one `getrandom` call per 341 tokens, not one per token. */
const pool = Buffer.alloc(4092);
let poolAt = pool.length;

function tokenId(): string {
  if (poolAt + 12 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const id = pool.toString('base64url', poolAt, poolAt + 12);
  poolAt += 12;
  return id;
}

/** A key's secret as bytes, copied: a caller reusing its buffer must not change the key under live tokens. */
export function secretBytes(secret: string | Uint8Array): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

function sign(secret: Buffer, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed, 'ascii').digest();
}

function refuse(reason: PlayerTokenRefusal): PlayerTokenCheck {
  return { ok: false, reason };
}

function isSnowflake(id: string): boolean {
  return SNOWFLAKE.test(id) && BigInt(id) <= MAX_SNOWFLAKE;
}

/** Seconds since the epoch, as RFC 7519 §2 has them; integers only here (no token we issue has fractions). */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function hasAudience(aud: unknown, wanted: string): boolean {
  if (typeof aud === 'string') return aud === wanted;
  return Array.isArray(aud) && aud.length <= 16 && aud.includes(wanted);
}

/** A JSON object from a decoded part, or null: invalid UTF-8, JSON, or anything but a plain object. */
function parseObject(bytes: Buffer | null): Record<string, unknown> | null {
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
