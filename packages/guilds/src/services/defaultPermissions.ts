import { PermissionFlagsBits as P } from 'discord-api-types/v10';

/**
 * What @everyone may do in a new guild: Discord's defaults for a guild made from the client's "Create My Own"
 * template (read, write, react, attach, voice; no moderation, no mention-everyone).
 */
export const defaultEveryonePermissions =
  P.CreateInstantInvite |
  P.AddReactions |
  P.Stream |
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.UseExternalEmojis |
  P.Connect |
  P.Speak |
  P.UseVAD |
  P.ChangeNickname |
  P.UseApplicationCommands |
  P.RequestToSpeak |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.UseExternalStickers |
  P.SendMessagesInThreads |
  P.UseEmbeddedActivities |
  P.UseSoundboard |
  P.UseExternalSounds |
  P.SendVoiceMessages |
  P.SendPolls |
  P.UseExternalApps;
