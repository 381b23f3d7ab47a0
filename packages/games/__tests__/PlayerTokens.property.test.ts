import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlayerTokens, playerTokenDefaults } from '../src/index.js';
import { b64, manualClock, SECRET, signToken, USER } from './helpers.js';

/**
 * `verify` against tokens nobody wrote by hand: it never throws, refuses everything it did not sign, and its work is
 * bounded by the token's length (checked first) — a per-call time budget far above what a bounded input needs.
 */
const parameters = { numRuns: 400, interruptAfterTimeLimit: 10_000 };
const timeBudgetMs = 250;

const clock = manualClock();
const tokens = new PlayerTokens({ keys: [{ id: 'k1', secret: SECRET }], now: clock.now });

function timed<T>(f: () => T): T {
  const started = performance.now();
  const out = f();
  expect(performance.now() - started).toBeLessThan(timeBudgetMs);
  return out;
}

const base64urlText = fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/);

describe('PlayerTokens.verify on hostile input', () => {
  it('refuses arbitrary strings (any length, any characters) without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 4000 })), (text) => {
        expect(timed(() => tokens.verify(text)).ok).toBe(false);
      }),
      parameters,
    );
  });

  it('refuses three base64url parts that were not signed with the key', () => {
    fc.assert(
      fc.property(base64urlText, base64urlText, base64urlText, (h, p, s) => {
        expect(timed(() => tokens.verify(`${h}.${p}.${s}`)).ok).toBe(false);
      }),
      parameters,
    );
  });

  it('refuses any JSON header and claims signed with another key', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (header, claims) => {
        const forged = signToken(header as object, claims as object, 'x'.repeat(40));
        expect(timed(() => tokens.verify(forged)).ok).toBe(false);
      }),
      parameters,
    );
  });

  it('never throws on signed tokens with arbitrary claims, and accepts only well-formed current ones', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('sub', 'iat', 'exp', 'nbf', 'jti', 'scope', 'aud'), fc.jsonValue()),
        (claims) => {
          const check = timed(() => tokens.verify(signToken({ alg: 'HS256', kid: 'k1' }, claims)));
          if (check.ok) {
            expect(claims.sub).toMatch(/^[1-9][0-9]*$/);
            expect(
              typeof claims.exp === 'number' && claims.exp * 1000 > clock.now() - playerTokenDefaults.leewayMs,
            ).toBe(true);
          }
        },
      ),
      parameters,
    );
  });

  it('refuses every one-character change of a token it issued', () => {
    const token = tokens.issue(USER, { scope: 'party' });
    const alphabet = 'AZaz09-_.=+/ ';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (at, c) => {
        const changed = token.slice(0, at) + c + token.slice(at + 1);
        fc.pre(changed !== token);
        expect(timed(() => tokens.verify(changed)).ok).toBe(false);
      }),
      parameters,
    );
    expect(tokens.verify(token).ok).toBe(true);
    expect(tokens.verify(`${b64('{}')}.${token.split('.')[1]}.${token.split('.')[2]}`).ok).toBe(false);
  });
});
