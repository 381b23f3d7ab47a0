import type { UserData } from '@concord/gateway-server';
import { describe, expect, it } from 'vitest';
import { createPlayerAuthenticate, PlayerTokens } from '../src/index.js';
import { manualClock, SECRET, USER } from './helpers.js';

const player: UserData = { id: USER, username: 'player1', global_name: 'Player One', bot: false } as UserData;

function setup(extra: { revoked?: Set<string> } = {}) {
  const clock = manualClock();
  const tokens = new PlayerTokens({ keys: [{ id: 'k1', secret: SECRET }], now: clock.now });
  const refused: string[] = [];
  const authenticate = createPlayerAuthenticate({
    tokens,
    findUser: async (id) => (id === USER ? player : null),
    ...(extra.revoked ? { isRevoked: (claims) => extra.revoked!.has(claims.tokenId ?? '') } : {}),
    onRefused: (reason) => refused.push(reason),
  });
  return { clock, tokens, authenticate, refused };
}

describe('createPlayerAuthenticate', () => {
  it('answers the stored user for a valid token, on the gateway (no scheme) and REST (Bearer)', async () => {
    const { tokens, authenticate, refused } = setup();
    const token = tokens.issue(USER);
    expect(await authenticate(token, { remoteAddress: '127.0.0.1' })).toEqual({ user: player });
    expect(await authenticate(token, { remoteAddress: '127.0.0.1', scheme: 'Bearer' })).toEqual({ user: player });
    expect(refused).toEqual([]);
  });

  it('refuses a bot scheme, a bad or expired token, a revoked one and an unknown user, saying why', async () => {
    const revoked = new Set<string>();
    const { clock, tokens, authenticate, refused } = setup({ revoked });
    const context = { remoteAddress: '127.0.0.1' };
    const token = tokens.issue(USER, { ttlMs: 60_000 });
    expect(await authenticate(token, { ...context, scheme: 'Bot' })).toBeNull();
    expect(await authenticate(`${token}x`, context)).toBeNull();
    expect(await authenticate(tokens.issue('175928847299117064'), context)).toBeNull();
    const other = tokens.issue(USER);
    const check = tokens.verify(other);
    revoked.add(check.ok ? (check.claims.tokenId ?? '') : '');
    expect(await authenticate(other, context)).toBeNull();
    clock.advance(10 * 60_000);
    expect(await authenticate(token, context)).toBeNull();
    expect(refused).toEqual(['malformed', 'malformed', 'unknown_user', 'revoked', 'expired']);
  });
});
