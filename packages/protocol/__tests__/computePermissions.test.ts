import { ChannelType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  allPermissions,
  computeBasePermissions,
  computeOverwrites,
  computePermissions,
  isCommunicationDisabled,
} from '../src/permissions/index.js';
import {
  channel,
  GUILD_ID,
  guild,
  member,
  memberOverwrite,
  OWNER_ID,
  role,
  roleOverwrite,
} from './helpers/permissionGuild.js';

const text = P.ViewChannel | P.SendMessages | P.ReadMessageHistory;
const rich = P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks;

describe('computeBasePermissions', () => {
  it('gives the owner every permission, even with an empty @everyone', () => {
    expect(computeBasePermissions(guild(0n), member(OWNER_ID))).toBe(allPermissions);
  });

  it('gives a member without roles exactly @everyone', () => {
    expect(computeBasePermissions(guild(text), member('2'))).toBe(text);
  });

  it("ORs @everyone with each of the member's roles, and only theirs", () => {
    const g = guild(P.ViewChannel, [role('10', P.KickMembers, 1), role('11', P.BanMembers, 2), role('12', P.Speak, 3)]);
    expect(computeBasePermissions(g, member('2', ['10', '12']))).toBe(P.ViewChannel | P.KickMembers | P.Speak);
  });

  it('turns ADMINISTRATOR from any role into every permission', () => {
    const g = guild(0n, [role('10', P.Administrator, 1)]);
    expect(computeBasePermissions(g, member('2', ['10']))).toBe(allPermissions);
  });

  it('ignores role ids the guild does not have', () => {
    expect(computeBasePermissions(guild(text), member('2', ['999']))).toBe(text);
  });
});

describe('computeOverwrites', () => {
  const g = guild(text, [role('10', 0n, 1), role('11', 0n, 2)]);

  it('applies the @everyone overwrite, deny then allow', () => {
    const c = channel([roleOverwrite(GUILD_ID, P.AttachFiles, P.SendMessages | P.AttachFiles)]);
    expect(computeOverwrites(text, g, c, member('2'))).toBe(P.ViewChannel | P.ReadMessageHistory | P.AttachFiles);
  });

  it("lets one role's allow beat another role's deny, whichever ranks higher", () => {
    for (const [denier, allower] of [
      ['10', '11'],
      ['11', '10'],
    ] as const) {
      const c = channel([roleOverwrite(denier, 0n, P.SendMessages), roleOverwrite(allower, P.SendMessages, 0n)]);
      expect(computeOverwrites(text, g, c, member('2', ['10', '11']))).toBe(text);
    }
  });

  it('applies role overwrites after @everyone: a role allow beats an @everyone deny', () => {
    const c = channel([roleOverwrite(GUILD_ID, 0n, P.SendMessages), roleOverwrite('10', P.SendMessages, 0n)]);
    expect(computeOverwrites(text, g, c, member('2', ['10']))).toBe(text);
    expect(computeOverwrites(text, g, c, member('3'))).toBe(text & ~P.SendMessages);
  });

  it("applies the member's overwrite last: it beats the roles' allow and deny", () => {
    const c = channel([
      roleOverwrite('10', P.SendMessages, P.ReadMessageHistory),
      memberOverwrite('2', P.ReadMessageHistory, P.SendMessages),
    ]);
    expect(computeOverwrites(text, g, c, member('2', ['10']))).toBe(P.ViewChannel | P.ReadMessageHistory);
  });

  it('applies each overwrite deny first: a bit both denied and allowed by one overwrite ends allowed', () => {
    const both = P.SendMessages | P.AttachFiles;
    for (const c of [
      channel([roleOverwrite(GUILD_ID, both, both)]),
      channel([roleOverwrite('10', both, both)]),
      channel([memberOverwrite('2', both, both)]),
    ]) {
      expect(computeOverwrites(P.ViewChannel, g, c, member('2', ['10']))).toBe(P.ViewChannel | both);
    }
  });

  it("ignores other members' overwrites and overwrites of roles the member lacks", () => {
    const c = channel([memberOverwrite('3', 0n, P.ViewChannel), roleOverwrite('11', 0n, P.ViewChannel)]);
    expect(computeOverwrites(text, g, c, member('2', ['10']))).toBe(text);
  });

  it('matches overwrites by type too: a member overwrite with a role id does not apply to the role', () => {
    const c = channel([memberOverwrite('10', 0n, P.ViewChannel)]);
    expect(computeOverwrites(text, g, c, member('2', ['10']))).toBe(text);
  });

  it('short-circuits on ADMINISTRATOR: no overwrite applies', () => {
    const c = channel([roleOverwrite(GUILD_ID, 0n, allPermissions), memberOverwrite('2', 0n, allPermissions)]);
    expect(computeOverwrites(P.Administrator, g, c, member('2'))).toBe(allPermissions);
  });
});

describe('computePermissions', () => {
  it('returns the base permissions without a channel', () => {
    const g = guild(text, [role('10', P.KickMembers, 1)]);
    expect(computePermissions(g, member('2', ['10']))).toBe(text | P.KickMembers);
  });

  it('gives the owner and administrators everything in a channel that denies them everything', () => {
    const g = guild(0n, [role('10', P.Administrator, 1)]);
    const c = channel([roleOverwrite(GUILD_ID, 0n, allPermissions), roleOverwrite('10', 0n, allPermissions)]);
    expect(computePermissions(g, member(OWNER_ID), c)).toBe(allPermissions);
    expect(computePermissions(g, member('2', ['10']), c)).toBe(allPermissions);
  });

  it('gives nothing in a channel the member cannot view (implicit VIEW_CHANNEL)', () => {
    const g = guild(text | rich | P.ManageMessages);
    expect(computePermissions(g, member('2'), channel([roleOverwrite(GUILD_ID, 0n, P.ViewChannel)]))).toBe(0n);
  });

  it('drops mentions of everyone, TTS, files and embeds without SEND_MESSAGES (implicit SEND_MESSAGES)', () => {
    const g = guild(text | rich | P.AddReactions);
    const c = channel([roleOverwrite(GUILD_ID, 0n, P.SendMessages)]);
    expect(computePermissions(g, member('2'), c)).toBe(P.ViewChannel | P.ReadMessageHistory | P.AddReactions);
    expect(computePermissions(g, member('2'), channel())).toBe(text | rich | P.AddReactions);
  });

  it('applies the implicit SEND_MESSAGES rule to voice channels (text chat) but not to categories', () => {
    const g = guild(P.ViewChannel | P.Connect | rich);
    expect(computePermissions(g, member('2'), channel([], ChannelType.GuildVoice))).toBe(P.ViewChannel | P.Connect);
    expect(computePermissions(g, member('2'), channel([], ChannelType.GuildCategory))).toBe(
      P.ViewChannel | P.Connect | rich,
    );
  });

  it('leaves only VIEW_CHANNEL and READ_MESSAGE_HISTORY to a timed-out member', () => {
    const now = 1_700_000_000_000;
    const g = guild(text | rich | P.Connect | P.Speak);
    const timedOut = member('2', [], now + 60_000);
    expect(computePermissions(g, timedOut, channel(), { now })).toBe(P.ViewChannel | P.ReadMessageHistory);
    expect(computePermissions(g, timedOut, undefined, { now })).toBe(P.ViewChannel | P.ReadMessageHistory);
    // The timeout is over at its end instant.
    expect(computePermissions(g, member('2', [], now), channel(), { now })).toBe(text | rich | P.Connect | P.Speak);
    expect(
      computePermissions(g, { userId: '2', roles: [], communicationDisabledUntil: null }, channel(), { now }),
    ).toBe(text | rich | P.Connect | P.Speak);
  });

  it('exempts the owner and administrators from timeouts', () => {
    const now = 1_000;
    const g = guild(0n, [role('10', P.Administrator, 1)]);
    expect(computePermissions(g, member(OWNER_ID, [], now + 1), channel(), { now })).toBe(allPermissions);
    expect(computePermissions(g, member('2', ['10'], now + 1), channel(), { now })).toBe(allPermissions);
  });

  it('reads the clock when no `now` is given', () => {
    const g = guild(text);
    expect(computePermissions(g, member('2', [], Date.now() + 3_600_000), channel())).toBe(
      P.ViewChannel | P.ReadMessageHistory,
    );
    expect(isCommunicationDisabled(member('2', [], Date.now() - 1))).toBe(false);
  });

  it('drops voice permissions without CONNECT in voice and stage channels only', () => {
    const voice = P.Speak | P.Stream | P.UseVAD | P.PrioritySpeaker | P.MuteMembers | P.DeafenMembers | P.MoveMembers;
    const more = P.UseSoundboard | P.UseExternalSounds | P.UseEmbeddedActivities | P.RequestToSpeak | P.ManageChannels;
    const g = guild(text | voice | more);
    const noConnect = [roleOverwrite(GUILD_ID, 0n, P.Connect)];
    for (const type of [ChannelType.GuildVoice, ChannelType.GuildStageVoice]) {
      expect(computePermissions(g, member('2'), channel(noConnect, type))).toBe(text);
      const connected = [roleOverwrite(GUILD_ID, P.Connect, 0n)];
      expect(computePermissions(g, member('2'), channel(connected, type))).toBe(text | voice | more | P.Connect);
    }
    expect(computePermissions(g, member('2'), channel(noConnect, ChannelType.GuildText))).toBe(text | voice | more);
  });

  describe('threads (computed on the parent channel)', () => {
    const g = guild(P.ViewChannel | P.SendMessagesInThreads | P.ReadMessageHistory | rich);
    const parent = channel([roleOverwrite(GUILD_ID, 0n, P.SendMessages)], ChannelType.GuildAnnouncement);

    it("takes the parent's overwrites: no VIEW_CHANNEL on the parent, nothing in its threads", () => {
      const hidden = channel([roleOverwrite(GUILD_ID, 0n, P.ViewChannel)]);
      expect(computePermissions(g, member('2'), hidden)).toBe(0n);
    });

    it('lets a member without SEND_MESSAGES on the parent post in its threads with SEND_MESSAGES_IN_THREADS', () => {
      const onParent = computePermissions(g, member('2'), parent);
      expect(onParent & P.SendMessages).toBe(0n);
      expect(onParent & P.SendMessagesInThreads).toBe(P.SendMessagesInThreads);
    });

    it('gates rich posting in a thread object on SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES', () => {
      const thread = {
        id: '600',
        type: ChannelType.AnnouncementThread,
        permissionOverwrites: parent.permissionOverwrites,
        parentId: parent.id,
      };
      expect(computePermissions(g, member('2'), thread) & rich).toBe(rich);
      const noThreads = guild(P.ViewChannel | P.SendMessages | rich);
      expect(computePermissions(noThreads, member('2'), thread) & rich).toBe(0n);
    });
  });
});
