import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { PlayerTokenError, PlayerTokens, playerTokenDefaults } from '../src/index.js';
import { b64, manualClock, OTHER_SECRET, SECRET, signToken, USER } from './helpers.js';

const HEADER = { alg: 'HS256', typ: 'JWT', kid: 'k1' };

function tokens(clock = manualClock(), extra: Partial<ConstructorParameters<typeof PlayerTokens>[0]> = {}) {
  return new PlayerTokens({ keys: [{ id: 'k1', secret: SECRET }], now: clock.now, ...extra });
}

describe('PlayerTokens', () => {
  it('verifies what it issued, with the claims it put in', () => {
    const clock = manualClock();
    const t = tokens(clock);
    const token = t.issue(USER, { ttlMs: 60_000, scope: 'match:42 voice' });
    const check = t.verify(token);
    expect(check).toEqual({
      ok: true,
      claims: {
        userId: USER,
        issuedAt: clock.now(),
        expiresAt: clock.now() + 60_000,
        tokenId: expect.any(String),
        scope: 'match:42 voice',
      },
    });
    // Two tokens for the same user differ (jti), so one can be revoked alone.
    const again = t.verify(t.issue(USER));
    expect(again.ok && check.ok && again.claims.tokenId !== check.claims.tokenId).toBe(true);
  });

  it('is a standard HS256 JWT: a JWT library verifies ours and we verify its', () => {
    const t = tokens(manualClock(Date.now()), { issuer: 'game-backend', audience: 'concord' });
    const decoded = jwt.verify(t.issue(USER), SECRET, { algorithms: ['HS256'], issuer: 'game-backend' });
    expect(decoded).toMatchObject({ sub: USER, aud: 'concord', iss: 'game-backend' });
    const theirs = jwt.sign({ scope: 'lobby' }, SECRET, {
      algorithm: 'HS256',
      keyid: 'k1',
      subject: USER,
      expiresIn: '10m',
      issuer: 'game-backend',
      audience: ['concord', 'other'],
    });
    const check = t.verify(theirs);
    expect(check.ok && check.claims).toMatchObject({ userId: USER, scope: 'lobby', tokenId: null });
  });

  it('refuses an expired token, with leeway for clock skew', () => {
    const clock = manualClock();
    const t = tokens(clock);
    const token = t.issue(USER, { ttlMs: 60_000 });
    clock.advance(60_000 + playerTokenDefaults.leewayMs - 1000);
    expect(t.verify(token).ok).toBe(true);
    clock.advance(1000);
    expect(t.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token from the future and one that claims too long a life', () => {
    const clock = manualClock();
    const t = tokens(clock);
    const now = clock.now() / 1000;
    expect(t.verify(signToken(HEADER, { sub: USER, iat: now + 120, exp: now + 600 }))).toEqual({
      ok: false,
      reason: 'not_yet_valid',
    });
    expect(t.verify(signToken(HEADER, { sub: USER, iat: now, nbf: now + 120, exp: now + 600 }))).toEqual({
      ok: false,
      reason: 'not_yet_valid',
    });
    const week = 7 * 86_400;
    expect(t.verify(signToken(HEADER, { sub: USER, iat: now, exp: now + week }))).toEqual({
      ok: false,
      reason: 'too_long_lived',
    });
    // Without iat the lifetime counts from now.
    expect(t.verify(signToken(HEADER, { sub: USER, exp: now + week })).ok).toBe(false);
    expect(t.verify(signToken(HEADER, { sub: USER, exp: now + 600 })).ok).toBe(true);
  });

  it('checks issuer and audience when configured', () => {
    const clock = manualClock();
    const t = tokens(clock, { issuer: 'studio', audience: 'concord' });
    const now = clock.now() / 1000;
    const base = { sub: USER, iat: now, exp: now + 60 };
    expect(t.verify(signToken(HEADER, { ...base, iss: 'studio', aud: 'concord' })).ok).toBe(true);
    expect(t.verify(signToken(HEADER, { ...base, iss: 'studio', aud: ['x', 'concord'] })).ok).toBe(true);
    expect(t.verify(signToken(HEADER, { ...base, iss: 'other', aud: 'concord' }))).toEqual({
      ok: false,
      reason: 'wrong_issuer',
    });
    expect(t.verify(signToken(HEADER, { ...base, iss: 'studio' }))).toEqual({ ok: false, reason: 'wrong_audience' });
  });

  it('rotates keys: the first signs, every key verifies, an unknown kid is refused', () => {
    const clock = manualClock();
    const old = new PlayerTokens({ keys: [{ id: 'old', secret: OTHER_SECRET }], now: clock.now });
    const fromOld = old.issue(USER);
    const rotated = new PlayerTokens({
      keys: [
        { id: 'new', secret: SECRET },
        { id: 'old', secret: OTHER_SECRET },
      ],
      now: clock.now,
    });
    expect(rotated.verify(fromOld).ok).toBe(true);
    expect(old.verify(rotated.issue(USER))).toEqual({ ok: false, reason: 'unknown_key' });
    const now = clock.now() / 1000;
    // No kid: accepted only when there is one key to try.
    const noKid = signToken({ alg: 'HS256' }, { sub: USER, iat: now, exp: now + 60 });
    expect(tokens(clock).verify(noKid).ok).toBe(true);
    expect(rotated.verify(noKid)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses forgeries: another key, a changed claim, alg none or another alg, crit, non-canonical encodings', () => {
    const clock = manualClock();
    const t = tokens(clock);
    const now = clock.now() / 1000;
    const claims = { sub: USER, iat: now, exp: now + 60 };
    expect(t.verify(signToken(HEADER, claims, OTHER_SECRET))).toEqual({ ok: false, reason: 'bad_signature' });
    const [h, , s] = t.issue(USER).split('.');
    expect(t.verify(`${h}.${b64(JSON.stringify({ ...claims, sub: '1' }))}.${s}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(t.verify(`${b64('{"alg":"none"}')}.${b64(JSON.stringify(claims))}.`).ok).toBe(false);
    expect(t.verify(signToken({ ...HEADER, alg: 'HS512' }, claims))).toEqual({ ok: false, reason: 'malformed' });
    expect(t.verify(signToken({ ...HEADER, crit: ['exp'] }, claims))).toEqual({ ok: false, reason: 'malformed' });
    const good = signToken(HEADER, claims);
    expect(t.verify(good).ok).toBe(true);
    // The same signature bytes written differently (padding, or other trailing bits) are not the token we signed.
    expect(t.verify(`${good}=`)).toEqual({ ok: false, reason: 'malformed' });
    const last = good.at(-1)!;
    const sibling = last === 'A' ? 'B' : String.fromCharCode(last.charCodeAt(0) ^ 1);
    expect(t.verify(good.slice(0, -1) + sibling).ok).toBe(false);
  });

  it('refuses bad claims after a good signature', () => {
    const clock = manualClock();
    const t = tokens(clock);
    const now = clock.now() / 1000;
    for (const claims of [
      { sub: 1759288472991, iat: now, exp: now + 60 },
      { sub: '0175928847299117063', iat: now, exp: now + 60 },
      { sub: '99999999999999999999', iat: now, exp: now + 60 },
      { sub: USER, iat: now },
      { sub: USER, iat: now, exp: now + 60.5 },
      { sub: USER, iat: String(now), exp: now + 60 },
      { sub: USER, iat: now, exp: now + 60, scope: 7 },
    ]) {
      expect(t.verify(signToken(HEADER, claims)), JSON.stringify(claims)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(t.verify(signToken(HEADER, [USER] as unknown as object))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a token longer than maxTokenLength before decoding it', () => {
    const t = tokens(manualClock(), { maxTokenLength: 300 });
    const long = t.issue(USER, { scope: 'x'.repeat(200) });
    expect(long.length).toBeGreaterThan(300);
    expect(t.verify(long)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('throws PlayerTokenError for mistakes on the issuing side', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof PlayerTokenError ? error.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => new PlayerTokens({ keys: [] }))).toBe('NO_KEYS');
    expect(codeOf(() => new PlayerTokens({ keys: [{ id: 'k', secret: 'short' }] }))).toBe('WEAK_KEY');
    expect(codeOf(() => new PlayerTokens({ keys: [{ id: 'k', secret: new Uint8Array(31) }] }))).toBe('WEAK_KEY');
    expect(codeOf(() => new PlayerTokens({ keys: [{ id: 'has space', secret: SECRET }] }))).toBe('INVALID_KEY_ID');
    expect(
      codeOf(
        () =>
          new PlayerTokens({
            keys: [
              { id: 'k', secret: SECRET },
              { id: 'k', secret: OTHER_SECRET },
            ],
          }),
      ),
    ).toBe('DUPLICATE_KEY_ID');
    const t = tokens();
    expect(codeOf(() => t.issue('not-a-snowflake'))).toBe('INVALID_CLAIMS');
    expect(codeOf(() => t.issue(USER, { ttlMs: 500 }))).toBe('INVALID_CLAIMS');
    expect(codeOf(() => t.issue(USER, { ttlMs: playerTokenDefaults.maxLifetimeMs + 1 }))).toBe('INVALID_CLAIMS');
  });

  it('keeps a copy of a key given as bytes', () => {
    const bytes = new Uint8Array(Buffer.from(SECRET));
    const t = new PlayerTokens({ keys: [{ id: 'k1', secret: bytes }] });
    const token = t.issue(USER);
    bytes.fill(0);
    expect(t.verify(token).ok).toBe(true);
  });
});
