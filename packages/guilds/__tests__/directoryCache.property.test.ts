import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computePermissions, type PermissionChannel, type PermissionGuild } from '../src/index.js';
import { createHarness, seedGuild } from './communityHarness.js';

/** Bits the random changes play with: enough to flip visibility and posting both ways. */
const BITS = [P.ViewChannel, P.SendMessages, P.Administrator, P.ManageRoles, P.ReadMessageHistory];

type Op =
  | { kind: 'rolePerms'; role: number; bits: number }
  | { kind: 'grant'; role: number; member: number; on: boolean }
  | { kind: 'overwrite'; channel: number; target: number; allow: number; deny: number }
  | { kind: 'dropOverwrite'; channel: number; target: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('rolePerms' as const), role: fc.nat(3), bits: fc.nat(31) }),
  fc.record({ kind: fc.constant('grant' as const), role: fc.nat(2), member: fc.nat(2), on: fc.boolean() }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    channel: fc.nat(1),
    target: fc.nat(5),
    allow: fc.nat(31),
    deny: fc.nat(31),
  }),
  fc.record({ kind: fc.constant('dropOverwrite' as const), channel: fc.nat(1), target: fc.nat(5) }),
);

function bits(mask: number): bigint {
  let out = 0n;
  BITS.forEach((bit, i) => {
    if (mask & (1 << i)) out |= bit;
  });
  return out;
}

describe('the directory’s permission cache', () => {
  it('answers as a fresh computation after any sequence of role, grant and overwrite changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        const h = await createHarness();
        const s = await seedGuild(h);
        const { community } = h;
        const roles = [s.guild.id];
        for (const name of ['a', 'b', 'c'])
          roles.push((await community.roles.create(s.owner, s.guild.id, { name })).id);
        const members = [s.alice, s.bob, s.carol];
        const channels = [s.general.id, (await community.channels.create(s.owner, s.guild.id, { name: 'other' })).id];
        const targets = [...roles, ...members.slice(0, 2)];
        for (const step of ops) {
          if (step.kind === 'rolePerms')
            await community.roles.modify(s.owner, s.guild.id, roles[step.role]!, {
              permissions: String(bits(step.bits)),
            });
          else if (step.kind === 'grant') {
            const roleId = roles[step.role + 1]!;
            if (step.on) await community.members.addRole(s.owner, s.guild.id, members[step.member]!, roleId);
            else await community.members.removeRole(s.owner, s.guild.id, members[step.member]!, roleId);
          } else if (step.kind === 'overwrite') {
            const target = targets[step.target]!;
            await community.channels.editOverwrite(s.owner, s.guild.id, channels[step.channel]!, target, {
              type: step.target < roles.length ? 0 : 1,
              allow: String(bits(step.allow)),
              deny: String(bits(step.deny)),
            });
          } else
            await community.channels.deleteOverwrite(
              s.owner,
              s.guild.id,
              channels[step.channel]!,
              targets[step.target]!,
            );
          // Warm the cache between steps so stale entries would be caught by the next check.
          for (const channelId of channels) {
            community.directory.everyMemberCanView(s.guild.id, channelId);
            community.directory.channelViewers(s.guild.id, channelId);
            for (const userId of members) community.directory.canView(userId, s.guild.id, channelId);
          }
        }
        // Reference: recompute from what the REST reads return, with no cache involved.
        const guildRoles = await community.roles.list(s.owner, s.guild.id);
        const guild: PermissionGuild = {
          id: s.guild.id,
          ownerId: s.owner,
          roles: guildRoles.map((r) => ({ id: r.id, position: r.position, permissions: BigInt(r.permissions) })),
        };
        for (const channelId of channels) {
          const wire = (await community.channels.get(s.owner, s.guild.id, channelId)) as unknown as {
            type: number;
            permission_overwrites: { id: string; type: 0 | 1; allow: string; deny: string }[];
          };
          const channel: PermissionChannel = {
            id: channelId,
            type: wire.type,
            permissionOverwrites: wire.permission_overwrites.map((o) => ({
              id: o.id,
              type: o.type,
              allow: BigInt(o.allow),
              deny: BigInt(o.deny),
            })),
          };
          // "Every member sees it" lets the fan-out skip the per-recipient check: it must never hide someone who can't.
          const open = community.directory.everyMemberCanView(s.guild.id, channelId);
          // Named viewers let the fan-out skip everyone else: exactly the members who see it, owner included.
          const viewers = community.directory.channelViewers(s.guild.id, channelId);
          if (viewers !== null) {
            const seeing: string[] = [];
            for (const userId of [s.owner, ...members]) {
              const member = await community.members.get(s.owner, s.guild.id, userId);
              const perms = computePermissions(guild, { userId, roles: member.roles }, channel);
              if ((perms & P.ViewChannel) !== 0n) seeing.push(userId);
            }
            expect([...viewers].sort()).toEqual(seeing.sort());
          }
          for (const userId of members) {
            const member = await community.members.get(s.owner, s.guild.id, userId);
            const expected = computePermissions(guild, { userId, roles: member.roles }, channel);
            const cached = await community.directory.channelPermissions(userId, s.guild.id, channelId);
            expect(cached?.permissions).toBe(expected);
            expect(community.directory.canView(userId, s.guild.id, channelId)).toBe((expected & P.ViewChannel) !== 0n);
            if (open) expect(expected & P.ViewChannel).toBe(P.ViewChannel);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('says every member sees a public channel, and stops saying it once an overwrite hides it from anyone', async () => {
    const h = await createHarness();
    const s = await seedGuild(h);
    const { community } = h;
    expect(community.directory.everyMemberCanView(s.guild.id, s.general.id)).toBe(true);
    const role = await community.roles.create(s.owner, s.guild.id, { name: 'muted' });
    // A role nobody holds yet still makes the channel not "open to all": the answer must not depend on who holds it.
    await community.channels.editOverwrite(s.owner, s.guild.id, s.general.id, role.id, {
      type: 0,
      allow: '0',
      deny: String(P.ViewChannel),
    });
    expect(community.directory.everyMemberCanView(s.guild.id, s.general.id)).toBe(false);
    await community.channels.deleteOverwrite(s.owner, s.guild.id, s.general.id, role.id);
    expect(community.directory.everyMemberCanView(s.guild.id, s.general.id)).toBe(true);
    // @everyone losing VIEW_CHANNEL closes it too; an unknown channel or guild is never open.
    await community.roles.modify(s.owner, s.guild.id, s.guild.id, { permissions: String(P.SendMessages) });
    expect(community.directory.everyMemberCanView(s.guild.id, s.general.id)).toBe(false);
    expect(community.directory.everyMemberCanView(s.guild.id, '1')).toBe(false);
    expect(community.directory.everyMemberCanView('1', s.general.id)).toBe(false);
  });
});
