import { ChannelType, OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  canActOnMember,
  computePermissions,
  highestRole,
  type PermissionChannel,
  type PermissionGuild,
  type PermissionMember,
  type PermissionOverwrite,
} from '../src/permissions/index.js';

/**
 * computePermissions against a reference written the plain way: Discord's documented steps one after the other, loops
 * and lookups by scanning, no maps, no early answers beyond the ones Discord states. Random guilds cover owners,
 * administrators, role and member overwrites (including overwrites that must not apply), timeouts and every channel
 * type.
 */

const flags = Object.values(PermissionFlagsBits);
const ADMIN = PermissionFlagsBits.Administrator;
const VIEW = PermissionFlagsBits.ViewChannel;
const TIMED_OUT_KEEP = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;
const SEND_DEPENDENT = [
  PermissionFlagsBits.MentionEveryone,
  PermissionFlagsBits.SendTTSMessages,
  PermissionFlagsBits.AttachFiles,
  PermissionFlagsBits.EmbedLinks,
];
const CONNECT_DEPENDENT = [
  PermissionFlagsBits.ManageChannels,
  PermissionFlagsBits.PrioritySpeaker,
  PermissionFlagsBits.Stream,
  PermissionFlagsBits.Speak,
  PermissionFlagsBits.MuteMembers,
  PermissionFlagsBits.DeafenMembers,
  PermissionFlagsBits.MoveMembers,
  PermissionFlagsBits.UseVAD,
  PermissionFlagsBits.RequestToSpeak,
  PermissionFlagsBits.UseEmbeddedActivities,
  PermissionFlagsBits.UseSoundboard,
  PermissionFlagsBits.UseExternalSounds,
];
const THREAD_TYPES = [ChannelType.AnnouncementThread, ChannelType.PublicThread, ChannelType.PrivateThread];
const MESSAGE_TYPES = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
];
const VOICE_TYPES = [ChannelType.GuildVoice, ChannelType.GuildStageVoice];

function removeAll(permissions: bigint, bits: bigint[]): bigint {
  let result = permissions;
  for (const bit of bits) if ((result & bit) !== 0n) result = result - bit;
  return result;
}

function reference(
  guild: PermissionGuild,
  member: PermissionMember,
  channel: PermissionChannel | undefined,
  now: number,
) {
  let all = 0n;
  for (const flag of flags) all = all | flag;
  // Owner: everything.
  if (member.userId === guild.ownerId) return all;
  // 1. @everyone's permissions; 2. each of the member's roles.
  let permissions = 0n;
  for (const role of guild.roles) if (role.id === guild.id) permissions = permissions | role.permissions;
  for (const roleId of member.roles) {
    for (const role of guild.roles) if (role.id === roleId) permissions = permissions | role.permissions;
  }
  if ((permissions & ADMIN) !== 0n) return all;
  if (channel !== undefined) {
    // 3–4. The @everyone overwrite, deny then allow.
    for (const overwrite of channel.permissionOverwrites) {
      if (overwrite.type === OverwriteType.Role && overwrite.id === guild.id) {
        permissions = removeAll(
          permissions,
          flags.filter((flag) => (overwrite.deny & flag) !== 0n),
        );
        permissions = permissions | overwrite.allow;
      }
    }
    // 5–6. Every deny of the member's roles, then every allow.
    for (const overwrite of channel.permissionOverwrites) {
      if (overwrite.type !== OverwriteType.Role || overwrite.id === guild.id) continue;
      if (member.roles.includes(overwrite.id)) {
        permissions = removeAll(
          permissions,
          flags.filter((flag) => (overwrite.deny & flag) !== 0n),
        );
      }
    }
    for (const overwrite of channel.permissionOverwrites) {
      if (overwrite.type !== OverwriteType.Role || overwrite.id === guild.id) continue;
      if (member.roles.includes(overwrite.id)) permissions = permissions | overwrite.allow;
    }
    // 7–8. The member's own overwrite.
    for (const overwrite of channel.permissionOverwrites) {
      if (overwrite.type === OverwriteType.Member && overwrite.id === member.userId) {
        permissions = removeAll(
          permissions,
          flags.filter((flag) => (overwrite.deny & flag) !== 0n),
        );
        permissions = permissions | overwrite.allow;
      }
    }
  }
  const until = member.communicationDisabledUntil;
  if (typeof until === 'number' && until > now) permissions = permissions & TIMED_OUT_KEEP;
  if (channel === undefined) return permissions;
  if ((permissions & VIEW) === 0n) return 0n;
  if (THREAD_TYPES.includes(channel.type)) {
    if ((permissions & PermissionFlagsBits.SendMessagesInThreads) === 0n)
      permissions = removeAll(permissions, SEND_DEPENDENT);
  } else if (MESSAGE_TYPES.includes(channel.type)) {
    if ((permissions & PermissionFlagsBits.SendMessages) === 0n) permissions = removeAll(permissions, SEND_DEPENDENT);
  }
  if (VOICE_TYPES.includes(channel.type) && (permissions & PermissionFlagsBits.Connect) === 0n) {
    permissions = removeAll(permissions, CONNECT_DEPENDENT);
  }
  return permissions;
}

const GUILD_ID = '100';
const ROLE_IDS = ['201', '202', '203', '204', '205', '2000000000000000006'];
const USER_IDS = ['1', '2', '3', '4'];
const NOW = 1_700_000_000_000;

/** Each flag present about half the time, ADMINISTRATOR rarely (it would end most cases at once). */
const bits = fc
  .tuple(fc.subarray(flags.filter((flag) => flag !== ADMIN)), fc.integer({ min: 0, max: 15 }))
  .map(([chosen, dice]) => chosen.reduce((all, flag) => all | flag, dice === 0 ? ADMIN : 0n));
const anyBits = fc.subarray(flags).map((chosen) => chosen.reduce((all, flag) => all | flag, 0n));

const guildArb = fc
  .record({
    everyone: bits,
    roles: fc.uniqueArray(
      fc.record({ id: fc.constantFrom(...ROLE_IDS), permissions: bits, position: fc.integer({ min: 0, max: 4 }) }),
      { selector: (role) => role.id, maxLength: ROLE_IDS.length },
    ),
    ownerId: fc.constantFrom(...USER_IDS, '999'),
  })
  .map(
    ({ everyone, roles, ownerId }): PermissionGuild => ({
      id: GUILD_ID,
      ownerId,
      roles: [{ id: GUILD_ID, permissions: everyone, position: 0 }, ...roles],
    }),
  );

const memberArb = fc.record({
  userId: fc.constantFrom(...USER_IDS),
  // Unknown role ids too: a role deleted since the member was cached.
  roles: fc.uniqueArray(fc.constantFrom(...ROLE_IDS, '777')),
  communicationDisabledUntil: fc.option(fc.integer({ min: NOW - 10_000, max: NOW + 10_000 }), { nil: undefined }),
}) as fc.Arbitrary<PermissionMember>;

const overwriteArb: fc.Arbitrary<PermissionOverwrite> = fc.record({
  // Member overwrites with role ids and role overwrites with user ids too: they must not apply.
  id: fc.constantFrom(GUILD_ID, ...ROLE_IDS, ...USER_IDS),
  type: fc.constantFrom(OverwriteType.Role, OverwriteType.Member),
  allow: anyBits,
  deny: anyBits,
});

const channelArb: fc.Arbitrary<PermissionChannel> = fc.record({
  id: fc.constant('500'),
  type: fc.constantFrom(...MESSAGE_TYPES, ...THREAD_TYPES, ChannelType.GuildCategory, ChannelType.GuildDirectory),
  permissionOverwrites: fc.uniqueArray(overwriteArb, { selector: (o) => `${o.type}:${o.id}`, maxLength: 8 }),
});

const parameters = { numRuns: 500, interruptAfterTimeLimit: 4_000 };

describe('computePermissions (property)', () => {
  it('equals the reference in channels', () => {
    fc.assert(
      fc.property(guildArb, memberArb, channelArb, (guild, member, channel) => {
        const expected = reference(guild, member, channel, NOW);
        const actual = computePermissions(guild, member, channel, { now: NOW });
        if (actual !== expected) throw new Error(`got 0x${actual.toString(16)}, expected 0x${expected.toString(16)}`);
      }),
      parameters,
    );
  });

  it('equals the reference at guild level', () => {
    fc.assert(
      fc.property(guildArb, memberArb, (guild, member) => {
        return computePermissions(guild, member, undefined, { now: NOW }) === reference(guild, member, undefined, NOW);
      }),
      parameters,
    );
  });
});

describe('role hierarchy (property)', () => {
  it('highestRole is the last role of the member sorted by position, then by id descending', () => {
    fc.assert(
      fc.property(guildArb, memberArb, (guild, member) => {
        const mine = guild.roles.filter((role) => role.id === guild.id || member.roles.includes(role.id));
        const sorted = [...mine].sort((a, b) =>
          a.position !== b.position ? a.position - b.position : BigInt(a.id) < BigInt(b.id) ? 1 : -1,
        );
        return highestRole(guild, member) === sorted[sorted.length - 1];
      }),
      parameters,
    );
  });

  it('canActOnMember never holds both ways, never on oneself, never on the owner', () => {
    fc.assert(
      fc.property(guildArb, memberArb, memberArb, (guild, a, b) => {
        if (canActOnMember(guild, a, b) && canActOnMember(guild, b, a)) return false;
        if (canActOnMember(guild, a, a)) return false;
        return !canActOnMember(guild, a, { ...b, userId: guild.ownerId });
      }),
      parameters,
    );
  });
});
