import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeMember, serializeMemberOnce, serializeMemberWithoutUser } from '../src/serialize/serializeMember.js';
import { serializeUser } from '../src/serialize/serializeUser.js';
import { member } from './helpers.js';

// The member and user serializers build one literal and put an integrator's extra fields first only when there are
// some: the same keys in the same order (the same JSON bytes) as `{ ...extras, …fields }`.

const extraKeys = fc.dictionary(
  fc.constantFrom('x_one', 'x_two', 'custom', 'guild_tag', 'z'),
  fc.oneof(fc.string(), fc.integer(), fc.boolean()),
  { maxKeys: 3 },
);

describe('member and user serializers', () => {
  it('put extras first, then Discord’s fields in their order, then `user`', () => {
    fc.assert(
      fc.property(extraKeys, extraKeys, (memberExtras, userExtras) => {
        const m = member('5');
        const input = { ...memberExtras, ...m, user: { ...userExtras, ...m.user } };
        const user = serializeUser(input.user);
        expect(Object.keys(user)).toEqual([...Object.keys(userExtras), ...Object.keys(serializeUser(m.user))]);
        const without = serializeMemberWithoutUser(input);
        expect(Object.keys(without)).toEqual([
          ...Object.keys(memberExtras),
          ...Object.keys(serializeMemberWithoutUser(m)),
        ]);
        const once = serializeMemberOnce(input);
        expect(JSON.stringify(once)).toBe(JSON.stringify({ ...without, user }));
        expect(JSON.stringify(serializeMember(input))).toBe(JSON.stringify(once));
      }),
    );
  });

  it('remembers a member per object only through serializeMember', () => {
    const m = member('6');
    expect(serializeMember(m)).toBe(serializeMember(m));
    expect(serializeMemberOnce(m)).not.toBe(serializeMemberOnce(m));
    expect(serializeMemberOnce(m)).toEqual(serializeMember(m));
  });
});
