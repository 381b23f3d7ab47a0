import { ChannelType } from 'discord-api-types/v10';

/** Thread channel types (public, private, announcement threads). */
export function isThread(type: number): boolean {
  return (
    type === ChannelType.PublicThread || type === ChannelType.PrivateThread || type === ChannelType.AnnouncementThread
  );
}

/** Channels whose messages live in the channel itself (text, announcement, voice and stage chat, threads, DMs). */
export function isTextBased(type: number): boolean {
  return (
    type === ChannelType.GuildText ||
    type === ChannelType.GuildAnnouncement ||
    type === ChannelType.GuildVoice ||
    type === ChannelType.GuildStageVoice ||
    type === ChannelType.DM ||
    type === ChannelType.GroupDM ||
    isThread(type)
  );
}

/** Voice channel types (CONNECT/SPEAK apply). */
export function isVoice(type: number): boolean {
  return type === ChannelType.GuildVoice || type === ChannelType.GuildStageVoice;
}
