import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GuildRecord, MemberRecord, RoleRecord, UserRecord } from '../src/model/records.js';
import { GuildState } from '../src/state/GuildState.js';

// membersWithPermission reads only the members who could hold a permission (owner, holders of a granting role):
// it must answer exactly what asking every member's permissions answers, timeouts and @everyone included.

const guildId = '100000000000000000';
const flags = [P.ViewAuditLog, P.Administrator, P.BanMembers, P.SendMessages, 0n] as const;

describe('GuildState.membersWithPermission', () => {
  it('equals the brute-force filter over every member', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray([...flags]), { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ roles: fc.array(fc.nat(4)), timedOut: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.nat(11),
        fc.constantFrom(P.ViewAuditLog, P.BanMembers, P.SendMessages),
        (rolePermissions, members, ownerIndex, wanted) => {
          const owner = String(1000 + (ownerIndex % members.length));
          const state = new GuildState({
            id: guildId,
            name: 'g',
            owner_id: owner,
            features: [],
          } as unknown as GuildRecord);
          // Role 0 is @everyone (its id is the guild's).
          rolePermissions.forEach((bits, i) => {
            const permissions = bits.reduce((a, b) => a | b, 0n);
            state.setRole({
              id: i === 0 ? guildId : String(2000 + i),
              name: `r${i}`,
              permissions: permissions.toString(),
              position: i,
            } as unknown as RoleRecord);
          });
          members.forEach((m, i) => {
            const id = String(1000 + i);
            const roles = [
              ...new Set(m.roles.filter((r) => r > 0 && r < rolePermissions.length).map((r) => String(2000 + r))),
            ];
            state.setMember(
              {
                user_id: id,
                nick: null,
                avatar: null,
                roles,
                joined_at: '2024-01-01T00:00:00.000Z',
                deaf: false,
                mute: false,
                flags: 0,
                pending: false,
                communication_disabled_until: m.timedOut ? new Date(Date.now() + 3_600_000).toISOString() : null,
              } as MemberRecord,
              { id, username: `u${id}`, discriminator: '0', global_name: null, avatar: null, bot: false } as UserRecord,
            );
          });
          const brute = [...state.members.keys()].filter((id) => ((state.permissionsOf(id) ?? 0n) & wanted) !== 0n);
          expect(state.membersWithPermission(wanted).sort()).toEqual(brute.sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});
