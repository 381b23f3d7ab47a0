// The current user (READY, GET /users/@me) as one literal: the public object serializeUser writes, key for key and in
// its order, then the account fields (issue #19, Identify).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeCurrentUser, serializeUser } from '../src/serialize/serializeUser.js';
import type { UserData } from '../src/types.js';

/** What serializeCurrentUser answered before: the public object with the account fields assigned onto it. */
function assigned(user: UserData) {
  const pub = serializeUser(user);
  return Object.assign(pub, {
    flags: pub.flags ?? 0,
    public_flags: pub.public_flags ?? 0,
    mfa_enabled: typeof user.mfa_enabled === 'boolean' ? user.mfa_enabled : false,
    verified: typeof user.verified === 'boolean' ? user.verified : true,
    locale: typeof user.locale === 'string' ? user.locale : 'en-US',
    premium_type: typeof user.premium_type === 'number' && Number.isFinite(user.premium_type) ? user.premium_type : 0,
    email: typeof user.email === 'string' ? user.email : null,
  });
}

const field = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
  fc.jsonValue(),
);

describe('serializeCurrentUser', () => {
  it('is the public object then the account fields, in the same order, for any user', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.record(
          {
            discriminator: field,
            global_name: field,
            avatar: field,
            bot: field,
            banner: field,
            accent_color: field,
            public_flags: field,
            flags: field,
            mfa_enabled: field,
            verified: field,
            locale: field,
            premium_type: field,
            email: field,
            primary_guild: field,
          },
          { requiredKeys: [] },
        ),
        (extra, known) => {
          const user = { ...extra, ...known, id: '42', username: 'ada' } as UserData;
          expect(JSON.stringify(serializeCurrentUser(user))).toBe(JSON.stringify(assigned(user)));
          expect(Object.keys(serializeCurrentUser(user))).toEqual(Object.keys(assigned(user)));
        },
      ),
    );
  });
});
