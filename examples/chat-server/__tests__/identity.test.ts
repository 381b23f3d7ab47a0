import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usernameForToken } from '../src/devAuth.js';

describe('usernameForToken', () => {
  it('is at most 32 code points of well-formed text without control characters, whatever the token', () => {
    expect(usernameForToken(`${'a'.repeat(31)}😀😀`)).toBe(`${'a'.repeat(31)}😀`);
    expect(usernameForToken('ada\u0000\u001b[31m')).toBe('ada[31m');
    expect(usernameForToken('\ud800x')).toBe('x');
    expect(usernameForToken('\u0000')).toBe('user');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (token) => {
        const name = usernameForToken(token);
        expect(Array.from(name).length).toBeLessThanOrEqual(32);
        expect(name.length).toBeGreaterThan(0);
        expect(/[\p{Cc}\p{Cs}]/u.test(name)).toBe(false);
      }),
    );
  });
});
