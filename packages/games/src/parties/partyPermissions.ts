import { PermissionFlagsBits as P } from 'discord-api-types/v10';

/**
 * A party is one GUILD_VOICE channel (Discord voice channels carry text chat too) that `@everyone` cannot see or
 * join; each member gets a member overwrite granting what a party member does. Leaving removes the overwrite, so
 * the channel disappears from that player's client and voice refuses them (the gateway checks VIEW_CHANNEL and
 * CONNECT on op 4).
 */
export const PARTY_HIDDEN = P.ViewChannel | P.Connect;

export const PARTY_MEMBER =
  P.ViewChannel | P.Connect | P.Speak | P.UseVAD | P.SendMessages | P.ReadMessageHistory | P.AddReactions;

/** Discord's overwrite types. */
export const OVERWRITE_ROLE = 0;
export const OVERWRITE_MEMBER = 1;
