import type { UserData } from '@concord/gateway-server';
import type { StoredMessage } from '@concord/storage-adapters';

const DISCORD_EPOCH = 1_420_070_400_000n;

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Discord's public user object. */
export function publicUser(user: UserData): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.global_name ?? user.username,
    avatar: null,
    bot: user.bot ?? false,
    public_flags: 0,
  };
}

export interface MessageExtra {
  author?: UserData;
  nonce?: string | number;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string | null; type?: number };
  mentions?: UserData[];
}

/**
 * A stored row → Discord's message object. The author snapshot lives in `extra` (so history renders without a user
 * lookup); `referenced` is the replied-to message, already shaped, or null when it was deleted.
 */
export function toDiscordMessage(
  m: StoredMessage,
  referenced?: Record<string, unknown> | null,
): Record<string, unknown> {
  const extra = (m.extra ?? {}) as MessageExtra;
  const author = extra.author ?? { id: m.authorId, username: 'unknown' };
  const out: Record<string, unknown> = {
    id: m.id,
    channel_id: m.channelId,
    author: publicUser(author),
    content: m.content,
    timestamp: new Date(snowflakeTime(m.id)).toISOString(),
    edited_timestamp: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
    tts: false,
    mention_everyone: false,
    mentions: (extra.mentions ?? []).map(publicUser),
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: m.pinned,
    type: m.type,
    flags: m.flags,
    components: [],
  };
  if (m.guildId) out.guild_id = m.guildId;
  if (extra.nonce !== undefined) out.nonce = extra.nonce;
  if (extra.message_reference) {
    out.message_reference = extra.message_reference;
    if (referenced !== undefined) out.referenced_message = referenced;
  }
  return out;
}
