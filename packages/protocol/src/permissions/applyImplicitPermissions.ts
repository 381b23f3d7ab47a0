import { ChannelType, PermissionFlagsBits as P } from 'discord-api-types/v10';

/**
 * Discord's implicit denials (docs/protocol.md, "Permissions", "Implicit permissions"): bits a member holds on paper
 * but cannot use because a more basic permission is missing. They are applied after the overwrites and only for a
 * channel; the owner and ADMINISTRATOR holders have every bit, so none of these ever removes anything from them.
 */

/** Channels whose messages are sent in the channel itself, so SEND_MESSAGES gates posting (voice channels have text chat). */
const messageChannels: ReadonlySet<ChannelType> = new Set([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
]);

/** In threads SEND_MESSAGES is not inherited: SEND_MESSAGES_IN_THREADS is the permission to post. */
const threadChannels: ReadonlySet<ChannelType> = new Set([
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
]);

const voiceChannels: ReadonlySet<ChannelType> = new Set([ChannelType.GuildVoice, ChannelType.GuildStageVoice]);

/** What posting a message carries with it; without the permission to post, none of these can be used. */
export const sendDependentPermissions: bigint = P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks;

/**
 * What only makes sense once connected to a voice or stage channel, plus MANAGE_CHANNELS, the example Discord gives of
 * a permission denied with CONNECT. Discord documents no exhaustive list: this one is the permissions its flag table
 * marks for voice/stage channels that act on the voice session (speaking, streaming, moderating speakers, the
 * soundboard, activities), and leaves the channel's text chat (SEND_MESSAGES and the like) alone.
 */
export const connectDependentPermissions: bigint =
  P.ManageChannels |
  P.PrioritySpeaker |
  P.Stream |
  P.Speak |
  P.MuteMembers |
  P.DeafenMembers |
  P.MoveMembers |
  P.UseVAD |
  P.RequestToSpeak |
  P.UseEmbeddedActivities |
  P.UseSoundboard |
  P.UseExternalSounds;

/** `permissions` (a member's overwritten permissions in a channel of type `type`) with the implicit denials applied. */
export function applyImplicitPermissions(permissions: bigint, type: ChannelType): bigint {
  // Without VIEW_CHANNEL the channel does not exist for the member: nothing else in it can be used.
  if ((permissions & P.ViewChannel) === 0n) return 0n;
  let effective = permissions;
  const post = threadChannels.has(type) ? P.SendMessagesInThreads : messageChannels.has(type) ? P.SendMessages : 0n;
  if (post !== 0n && (effective & post) === 0n) effective &= ~sendDependentPermissions;
  if (voiceChannels.has(type) && (effective & P.Connect) === 0n) effective &= ~connectDependentPermissions;
  return effective;
}
