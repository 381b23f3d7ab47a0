// Dev auth answers a returning user the server holds without a promise (issue #19, Identify throughput: the gateway
// then goes on with the Identify in the same turn), and keeps every other answer as it was.
import type { UserData } from '@concord/gateway-server';
import { InMemoryRateLimitStore, RateLimitedError } from '@concord/rest-server';
import { describe, expect, it } from 'vitest';
import { createDevAuth, userIdForToken } from '../src/devAuth.js';

const context = { remoteAddress: '127.0.0.1' };

function devAuth(find: (id: string) => UserData | null | Promise<UserData | null>, limit = 10) {
  const created: UserData[] = [];
  const auth = createDevAuth({
    find,
    create: async (user) => {
      created.push(user);
      return user;
    },
    limiter: new InMemoryRateLimitStore(),
    newUsers: { limit, windowMs: 60_000 },
  });
  return { auth, created };
}

describe('dev auth answers', () => {
  it('answers a user found at once without a promise, and one found later with one', async () => {
    const alice: UserData = { id: userIdForToken('alice'), username: 'alice' };
    const { auth } = devAuth((id) => (id === alice.id ? alice : null));
    expect(auth('alice', context)).toEqual({ user: alice });
    expect(auth('Bot alice', context)).toEqual({ user: alice });
    const later = devAuth(async (id) => (id === alice.id ? alice : null)).auth('alice', context);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toEqual({ user: alice });
  });

  it('refuses an empty token and creates a new user within the per-address limit', async () => {
    const { auth, created } = devAuth(() => null, 1);
    expect(auth('  ', context)).toBeNull();
    const first = await auth('bob', context);
    expect(first?.user).toMatchObject({ id: userIdForToken('bob'), username: 'bob', bot: false });
    expect(created).toHaveLength(1);
    await expect(auth('carol', context)).rejects.toBeInstanceOf(RateLimitedError);
  });
});
