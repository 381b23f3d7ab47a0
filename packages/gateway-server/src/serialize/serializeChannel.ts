import type { APIChannel, APIOverwrite } from 'discord-api-types/v10';
import type { ChannelData } from '../types.js';
import { discordTimestampOrNull } from './discordTimestamp.js';
import { arr, bool, extras, num, str, strOrNull } from './fields.js';

const FIELDS = new Set([
  'id',
  'type',
  'guild_id',
  'name',
  'position',
  'permission_overwrites',
  'parent_id',
  'nsfw',
  'flags',
  'topic',
  'last_message_id',
  'last_pin_timestamp',
  'rate_limit_per_user',
  'bitrate',
  'user_limit',
  'rtc_region',
]);

// Discord channel types (discord-api-types ChannelType): text-like ones carry topic/last_message_id/slowmode.
const TEXT_LIKE = new Set([0, 5, 15, 16]);
const VOICE_LIKE = new Set([2, 13]);

/**
 * Discord's guild channel object (GUILD_CREATE channels, `GET /channels/:id`, `GET /guilds/:id/channels`). The fields
 * every guild channel has are always sent; text and voice channels add theirs (voice channels have a text chat too,
 * so they carry `last_message_id`, `rate_limit_per_user` and `nsfw`). `guildId` fills `guild_id` when the stored
 * channel lacks it (Discord sends it everywhere but inside GUILD_CREATE, where clients accept it as well).
 */
export function serializeChannel(channel: ChannelData, guildId?: string): APIChannel {
  const out: Record<string, unknown> = {
    ...extras(channel, FIELDS),
    id: channel.id,
    type: channel.type,
    name: str(channel.name, ''),
    position: num(channel.position, 0),
    permission_overwrites: arr<APIOverwrite>(channel.permission_overwrites),
    parent_id: strOrNull(channel.parent_id),
    nsfw: bool(channel.nsfw, false),
    flags: num(channel.flags, 0),
  };
  const guild = channel.guild_id ?? guildId;
  if (guild !== undefined) out.guild_id = guild;
  if (TEXT_LIKE.has(channel.type) || VOICE_LIKE.has(channel.type)) {
    out.last_message_id = strOrNull(channel.last_message_id);
    out.rate_limit_per_user = num(channel.rate_limit_per_user, 0);
    if (channel.last_pin_timestamp !== undefined) {
      out.last_pin_timestamp = discordTimestampOrNull(channel.last_pin_timestamp as string | null);
    }
  }
  if (TEXT_LIKE.has(channel.type)) out.topic = strOrNull(channel.topic);
  if (VOICE_LIKE.has(channel.type)) {
    out.bitrate = num(channel.bitrate, 64000);
    out.user_limit = num(channel.user_limit, 0);
    out.rtc_region = strOrNull(channel.rtc_region);
  }
  // Checked by shape above per channel type; APIChannel is a union discriminated by `type`.
  return out as unknown as APIChannel;
}
