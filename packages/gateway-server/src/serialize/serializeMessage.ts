import type {
  APIAttachment,
  APIEmbed,
  APIMessage,
  APIMessageInteraction,
  APIMessageInteractionMetadata,
  APIMessageReference,
  APIMessageTopLevelComponent,
  MessageFlags,
  MessageType,
} from 'discord-api-types/v10';
import { EmbedType } from 'discord-api-types/v10';
import type { GuildMemberData, Snowflake, UserData } from '../types.js';
import { discordTimestamp, discordTimestampOrNull } from './discordTimestamp.js';
import { type MemberWithoutUser, serializeMemberWithoutUser } from './serializeMember.js';
import { serializeUser } from './serializeUser.js';

/** A message as an application keeps it, in the words of Discord's object (timestamps may be any date form). */
export interface MessageData {
  id: Snowflake;
  channel_id: Snowflake;
  guild_id?: Snowflake | null;
  author: UserData;
  content: string;
  timestamp: Date | number | string;
  edited_timestamp?: Date | number | string | null;
  type?: number;
  flags?: number;
  pinned?: boolean;
  tts?: boolean;
  mention_everyone?: boolean;
  mentions?: UserData[];
  mention_roles?: Snowflake[];
  attachments?: APIAttachment[];
  embeds?: APIEmbed[];
  components?: APIMessageTopLevelComponent[];
  nonce?: string | number;
  message_reference?: APIMessageReference;
  /** The replied-to message, already serialized; null when it was deleted. Left out when not resolved. */
  referenced_message?: APIMessage | null;
  /** The author's member in `guild_id` (MESSAGE_CREATE/UPDATE in guild channels carry it without `user`). */
  member?: GuildMemberData;
  /** The webhook that sent it (a channel webhook's id, or the application's id for an interaction's messages). */
  webhook_id?: Snowflake;
  /** The application of an interaction response or of an application-owned webhook. */
  application_id?: Snowflake;
  /** What invoked it, on an interaction's response and follow-ups. */
  interaction_metadata?: APIMessageInteractionMetadata;
  /** The deprecated summary of the same (`name` with subcommands); libraries older than `interaction_metadata` read it. */
  interaction?: APIMessageInteraction;
}

/** MESSAGE_CREATE/UPDATE's `d`: the message plus the gateway's `guild_id` and `member`. */
export type SerializedMessage = APIMessage & { guild_id?: Snowflake; member?: MemberWithoutUser };

/**
 * Discord's message object (REST and MESSAGE_CREATE/UPDATE). `flags` and `components` are optional in
 * discord-api-types but always sent by Discord; `mentions` are user objects (Discord adds a partial `member` to each
 * in guild messages, which no library requires).
 */
export function serializeMessage(message: MessageData): SerializedMessage {
  const out: SerializedMessage = {
    id: message.id,
    channel_id: message.channel_id,
    author: serializeUser(message.author),
    content: message.content,
    timestamp: discordTimestamp(message.timestamp),
    edited_timestamp: discordTimestampOrNull(message.edited_timestamp),
    tts: message.tts ?? false,
    mention_everyone: message.mention_everyone ?? false,
    mentions: (message.mentions ?? []).map(serializeUser),
    mention_roles: message.mention_roles ?? [],
    attachments: message.attachments ?? [],
    // Discord's message object always types its embeds; what a sender writes is a "rich" embed.
    embeds: (message.embeds ?? []).map((embed) =>
      embed.type === undefined ? { type: EmbedType.Rich, ...embed } : embed,
    ),
    pinned: message.pinned ?? false,
    type: (message.type ?? 0) as MessageType,
    flags: (message.flags ?? 0) as MessageFlags,
    components: message.components ?? [],
  };
  if (message.guild_id) out.guild_id = message.guild_id;
  if (message.nonce !== undefined) out.nonce = message.nonce;
  if (message.message_reference) out.message_reference = message.message_reference;
  if (message.referenced_message !== undefined) out.referenced_message = message.referenced_message;
  if (message.member) out.member = serializeMemberWithoutUser(message.member);
  if (message.webhook_id) out.webhook_id = message.webhook_id;
  if (message.application_id) out.application_id = message.application_id;
  if (message.interaction_metadata) out.interaction_metadata = message.interaction_metadata;
  if (message.interaction) out.interaction = message.interaction;
  return out;
}
