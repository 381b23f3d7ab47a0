import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computePermissions, type PermissionChannel, type PermissionGuild } from '../src/index.js';
import { createHarness, seedGuild } from './communityHarness.js';

// `channelViewers` lets the fan-out deliver a message in a hidden channel to the sessions of the users it names and
// skip every other session of the guild: naming one user too few hides a message from someone who may read it,
// one too many leaks it. Hidden channels (a party: `@everyone` denied, members let in one by one) are where it answers.

type Op =
  | { kind: 'admin'; role: number; on: boolean }
  | { kind: 'grant'; role: number; member: number; on: boolean }
  | { kind: 'letIn'; member: number; allow: boolean }
  | { kind: 'drop'; member: number }
  | { kind: 'roleOverwrite'; role: number; allow: boolean }
  | { kind: 'leave'; member: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('admin' as const), role: fc.nat(1), on: fc.boolean() }),
  fc.record({ kind: fc.constant('grant' as const), role: fc.nat(1), member: fc.nat(2), on: fc.boolean() }),
  { arbitrary: fc.record({ kind: fc.constant('letIn' as const), member: fc.nat(2), allow: fc.boolean() }), weight: 3 },
  fc.record({ kind: fc.constant('drop' as const), member: fc.nat(2) }),
  fc.record({ kind: fc.constant('roleOverwrite' as const), role: fc.nat(1), allow: fc.boolean() }),
  fc.record({ kind: fc.constant('leave' as const), member: fc.nat(2) }),
);

describe('GuildState.channelViewers', () => {
  it('names exactly the members who see a hidden channel, or nobody at all (null), after any changes', async () => {
    let named = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 10 }), async (ops) => {
        const h = await createHarness();
        const s = await seedGuild(h);
        const { community } = h;
        const roles = [];
        for (const name of ['a', 'b']) roles.push((await community.roles.create(s.owner, s.guild.id, { name })).id);
        const members = [s.alice, s.bob, s.carol];
        const party = await community.channels.create(s.owner, s.guild.id, {
          name: 'party',
          type: 2,
          permission_overwrites: [{ id: s.guild.id, type: 0, allow: '0', deny: String(P.ViewChannel | P.Connect) }],
        });
        const left = new Set<string>();
        for (const step of ops) {
          // Asked between steps, so that a stale cached answer would be caught by the next check.
          community.directory.channelViewers(s.guild.id, party.id);
          const member = 'member' in step ? members[step.member]! : '';
          if (step.kind === 'admin') {
            await community.roles.modify(s.owner, s.guild.id, roles[step.role]!, {
              permissions: String(step.on ? P.Administrator : 0n),
            });
          } else if (step.kind === 'grant' && !left.has(member)) {
            if (step.on) await community.members.addRole(s.owner, s.guild.id, member, roles[step.role]!);
            else await community.members.removeRole(s.owner, s.guild.id, member, roles[step.role]!);
          } else if (step.kind === 'letIn') {
            const bits = String(P.ViewChannel | P.Connect);
            await community.channels.editOverwrite(s.owner, s.guild.id, party.id, member, {
              type: 1,
              allow: step.allow ? bits : '0',
              deny: step.allow ? '0' : bits,
            });
          } else if (step.kind === 'drop') {
            await community.channels.deleteOverwrite(s.owner, s.guild.id, party.id, member).catch(() => undefined);
          } else if (step.kind === 'roleOverwrite') {
            await community.channels.editOverwrite(s.owner, s.guild.id, party.id, roles[step.role]!, {
              type: 0,
              allow: step.allow ? String(P.ViewChannel) : '0',
              deny: '0',
            });
          } else if (step.kind === 'leave' && !left.has(member)) {
            await community.members.kick(s.owner, s.guild.id, member);
            left.add(member);
          }
        }
        const viewers = community.directory.channelViewers(s.guild.id, party.id);
        if (viewers === null) return;
        named++;
        const guildRoles = await community.roles.list(s.owner, s.guild.id);
        const guild: PermissionGuild = {
          id: s.guild.id,
          ownerId: s.owner,
          roles: guildRoles.map((r) => ({ id: r.id, position: r.position, permissions: BigInt(r.permissions) })),
        };
        const wire = (await community.channels.get(s.owner, s.guild.id, party.id)) as unknown as {
          permission_overwrites: { id: string; type: 0 | 1; allow: string; deny: string }[];
        };
        const channel: PermissionChannel = {
          id: party.id,
          type: 2,
          permissionOverwrites: wire.permission_overwrites.map((o) => ({
            id: o.id,
            type: o.type,
            allow: BigInt(o.allow),
            deny: BigInt(o.deny),
          })),
        };
        const seeing: string[] = [];
        for (const userId of [s.owner, ...members]) {
          if (left.has(userId)) continue;
          const member = await community.members.get(s.owner, s.guild.id, userId);
          if ((computePermissions(guild, { userId, roles: member.roles }, channel) & P.ViewChannel) !== 0n)
            seeing.push(userId);
        }
        expect([...viewers].sort()).toEqual(seeing.sort());
      }),
      { numRuns: 80 },
    );
    // The property is about the named case: most generated histories must reach it (a role opened to all does not).
    expect(named).toBeGreaterThan(40);
  });

  it('is null for a public channel and a channel opened to a role; names admins and the owner', async () => {
    const h = await createHarness();
    const s = await seedGuild(h);
    const { community } = h;
    expect(community.directory.channelViewers(s.guild.id, s.general.id)).toBeNull();
    const role = await community.roles.create(s.owner, s.guild.id, { name: 'staff' });
    const staff = await community.channels.create(s.owner, s.guild.id, {
      name: 'staff',
      permission_overwrites: [
        { id: s.guild.id, type: 0, allow: '0', deny: String(P.ViewChannel) },
        { id: role.id, type: 0, allow: String(P.ViewChannel), deny: '0' },
      ],
    });
    expect(community.directory.channelViewers(s.guild.id, staff.id)).toBeNull();
    const party = await community.channels.create(s.owner, s.guild.id, {
      name: 'party',
      permission_overwrites: [
        { id: s.guild.id, type: 0, allow: '0', deny: String(P.ViewChannel) },
        { id: s.alice, type: 1, allow: String(P.ViewChannel), deny: '0' },
      ],
    });
    expect([...(community.directory.channelViewers(s.guild.id, party.id) ?? [])].sort()).toEqual([s.owner, s.alice]);
    // `@everyone` an administrator: every member sees it, and is named.
    await community.roles.modify(s.owner, s.guild.id, s.guild.id, { permissions: String(P.Administrator) });
    expect([...(community.directory.channelViewers(s.guild.id, party.id) ?? [])].sort()).toEqual(
      [s.owner, s.alice, s.bob, s.carol].sort(),
    );
  });
});
