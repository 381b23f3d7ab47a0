import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GuildRecord, MemberRecord, UserRecord } from '../src/model/records.js';
import { GuildState } from '../src/state/GuildState.js';

// A member entry keeps the record and the gateway's member object; the permission view is made when read (issue
// #19: one object fewer per member of every loaded guild). It must read as the record says, timeouts included.

const guildId = '100000000000000000';
const user = (id: string): UserRecord =>
  ({ id, username: `u${id}`, discriminator: '0', global_name: null, avatar: null, bot: false }) as UserRecord;

describe('MemberEntry', () => {
  it('reads the permission view, the member object and the record as set', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('1', '2', '3'), { maxLength: 3 }),
        fc.option(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), { nil: null }),
        fc.boolean(),
        (roles, until, temporary) => {
          const state = new GuildState({
            id: guildId,
            name: 'g',
            owner_id: '9',
            features: [],
          } as unknown as GuildRecord);
          const record: MemberRecord = {
            user_id: '5',
            nick: null,
            avatar: null,
            roles,
            joined_at: '2024-01-01T00:00:00.000Z',
            deaf: false,
            mute: false,
            flags: 0,
            pending: false,
            communication_disabled_until: until === null ? null : until.toISOString(),
            ...(temporary ? { temporary } : {}),
          };
          const entry = state.setMember(record, user('5'));
          expect(state.members.get('5')).toBe(entry);
          expect(entry.record).toBe(record);
          expect(entry.permission).toEqual({
            userId: '5',
            roles,
            communicationDisabledUntil: until === null ? null : until.getTime(),
          });
          expect(entry.data).toEqual({
            nick: null,
            avatar: null,
            roles,
            joined_at: record.joined_at,
            deaf: false,
            mute: false,
            flags: 0,
            pending: false,
            communication_disabled_until: record.communication_disabled_until,
            user: user('5'),
          });
        },
      ),
    );
  });

  it('gives the member objects of a guild one hidden class between them', () => {
    // V8's own check (`%HaveSameMap`), compiled after allowing natives syntax: a member object built as a spread
    // plus `user` had a map of its own (~340 bytes per member, ~200 more once serialized; GuildState.setMember).
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    const state = new GuildState({ id: guildId, name: 'g', owner_id: '9', features: [] } as unknown as GuildRecord);
    const members = Array.from({ length: 200 }, (_, i) => {
      const record: MemberRecord = {
        user_id: String(1000 + i),
        nick: null,
        avatar: null,
        roles: [],
        joined_at: '2024-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: null,
      };
      return state.setMember(record, user(String(1000 + i))).data;
    });
    // The first few go through V8's runtime before its inline cache settles; what matters is every one after.
    for (let i = 100; i < members.length; i++) expect(sameMap(members[i]!, members[99]!)).toBe(true);
  });
});
