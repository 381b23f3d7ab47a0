import type { GuildMemberData, UserData } from '@concord/gateway-server';
import { type SerializedMessage, serializeMessage } from '@concord/gateway-server/serialize';
import { timestampOf } from '@concord/snowflake';
import type { StoredMessage } from '@concord/storage-adapters';
import type {
  APIAttachment,
  APIEmbed,
  APIMessageInteraction,
  APIMessageInteractionMetadata,
  APIMessageReference,
  APIMessageTopLevelComponent,
  APIReaction,
} from 'discord-api-types/v10';
import type { MessageContent } from '../validation/validateMessageContent.js';
import type { ResolvedMentions } from './resolveMentions.js';

/** What the community model keeps in a stored message's `extra` (the message store's JSON column). */
export interface MessageExtra {
  author?: UserData;
  mentions?: UserData[];
  mention_roles?: string[];
  mention_everyone?: boolean;
  embeds?: APIEmbed[];
  attachments?: APIAttachment[];
  nonce?: string | number;
  tts?: boolean;
  message_reference?: APIMessageReference;
  components?: APIMessageTopLevelComponent[];
  /** A channel webhook's id, or the application's id on an interaction's messages. */
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: APIMessageInteractionMetadata;
  interaction?: APIMessageInteraction;
}

/**
 * A stored message → Discord's message object, through the shared serializer (@concord/gateway-server/serialize):
 * the author snapshot and everything else Discord's object carries live in `extra`, so history renders without
 * lookups. `member` is the author's member in a guild channel (MESSAGE_CREATE/UPDATE carry it); `reactions` are the
 * viewer's view of them (`me`), built by the reactions service.
 */
export function messageWire(
  message: StoredMessage,
  options: { member?: GuildMemberData; referenced?: SerializedMessage | null; reactions?: APIReaction[] } = {},
): SerializedMessage {
  const extra = (message.extra ?? {}) as MessageExtra;
  const out = serializeMessage({
    id: message.id,
    channel_id: message.channelId,
    ...(message.guildId ? { guild_id: message.guildId } : {}),
    author: extra.author ?? { id: message.authorId, username: 'Deleted User' },
    content: message.content,
    timestamp: timestampOf(message.id),
    edited_timestamp: message.editedAt,
    pinned: message.pinned,
    type: message.type,
    flags: message.flags,
    tts: extra.tts ?? false,
    mentions: extra.mentions ?? [],
    mention_roles: extra.mention_roles ?? [],
    mention_everyone: extra.mention_everyone ?? false,
    embeds: extra.embeds ?? [],
    attachments: extra.attachments ?? [],
    ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
    ...(extra.message_reference ? { message_reference: extra.message_reference } : {}),
    ...(extra.message_reference && options.referenced !== undefined ? { referenced_message: options.referenced } : {}),
    ...(options.member ? { member: options.member } : {}),
    ...(extra.components ? { components: extra.components } : {}),
    ...(extra.webhook_id ? { webhook_id: extra.webhook_id } : {}),
    ...(extra.application_id ? { application_id: extra.application_id } : {}),
    ...(extra.interaction_metadata ? { interaction_metadata: extra.interaction_metadata } : {}),
    ...(extra.interaction ? { interaction: extra.interaction } : {}),
  });
  if (options.reactions && options.reactions.length > 0) out.reactions = options.reactions;
  return out;
}

/**
 * The part of a new message's `extra` every sender (a member, a webhook, an interaction) writes alike: the author
 * snapshot, the resolved mentions, and the checked content's embeds, components, files and tts.
 */
export function contentExtra(
  author: UserData,
  mentions: ResolvedMentions,
  content: MessageContent,
  attachments: readonly APIAttachment[],
): MessageExtra {
  return {
    author,
    mentions: mentions.users,
    mention_roles: mentions.roles,
    mention_everyone: mentions.everyone,
    ...(content.embeds ? { embeds: content.embeds } : {}),
    ...(content.components && content.components.length > 0 ? { components: content.components } : {}),
    ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
    ...(content.tts === true ? { tts: true } : {}),
  };
}
