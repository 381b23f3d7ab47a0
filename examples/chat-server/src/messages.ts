import type { GuildMemberData, UserData } from '@concord/gateway-server';
import { type SerializedMessage, serializeMessage } from '@concord/gateway-server/serialize';
import type { StoredMessage } from '@concord/storage-adapters';

const DISCORD_EPOCH = 1_420_070_400_000n;

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

export interface MessageExtra {
  author?: UserData;
  nonce?: string | number;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string; type?: number };
  mentions?: UserData[];
}

/**
 * A stored row (camelCase, storage-adapters) → Discord's message object, built by the shared serializer
 * (@concord/gateway-server/serialize). The author snapshot lives in `extra` (so history renders without a user
 * lookup); `referenced` is the replied-to message, already shaped, or null when it was deleted; `member` is the
 * author's member, which MESSAGE_CREATE/UPDATE carry (without its user).
 */
export function toDiscordMessage(
  m: StoredMessage,
  referenced?: SerializedMessage | null,
  member?: GuildMemberData,
): SerializedMessage {
  const extra = (m.extra ?? {}) as MessageExtra;
  return serializeMessage({
    id: m.id,
    channel_id: m.channelId,
    ...(m.guildId ? { guild_id: m.guildId } : {}),
    author: extra.author ?? { id: m.authorId, username: 'unknown' },
    content: m.content,
    timestamp: snowflakeTime(m.id),
    edited_timestamp: m.editedAt,
    pinned: m.pinned,
    type: m.type,
    flags: m.flags,
    mentions: extra.mentions ?? [],
    ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
    ...(extra.message_reference ? { message_reference: extra.message_reference } : {}),
    ...(extra.message_reference && referenced !== undefined ? { referenced_message: referenced } : {}),
    ...(member ? { member } : {}),
  });
}
