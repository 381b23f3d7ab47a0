import { GatewayIntentBits as Intent } from './wire/protocol.js';

const GUILD_ONLY: Record<string, number> = {};
const BOTH: Record<string, [guild: number, dm: number]> = {};

function guild(intent: number, ...events: string[]): void {
  for (const event of events) GUILD_ONLY[event] = intent;
}

guild(
  Intent.Guilds,
  'GUILD_CREATE',
  'GUILD_UPDATE',
  'GUILD_DELETE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  'THREAD_CREATE',
  'THREAD_UPDATE',
  'THREAD_DELETE',
  'THREAD_LIST_SYNC',
  'THREAD_MEMBER_UPDATE',
  'STAGE_INSTANCE_CREATE',
  'STAGE_INSTANCE_UPDATE',
  'STAGE_INSTANCE_DELETE',
);
guild(Intent.GuildMembers, 'GUILD_MEMBER_ADD', 'GUILD_MEMBER_UPDATE', 'GUILD_MEMBER_REMOVE', 'THREAD_MEMBERS_UPDATE');
guild(Intent.GuildModeration, 'GUILD_AUDIT_LOG_ENTRY_CREATE', 'GUILD_BAN_ADD', 'GUILD_BAN_REMOVE');
guild(
  Intent.GuildExpressions,
  'GUILD_EMOJIS_UPDATE',
  'GUILD_STICKERS_UPDATE',
  'GUILD_SOUNDBOARD_SOUND_CREATE',
  'GUILD_SOUNDBOARD_SOUND_UPDATE',
  'GUILD_SOUNDBOARD_SOUND_DELETE',
  'GUILD_SOUNDBOARD_SOUNDS_UPDATE',
);
guild(
  Intent.GuildIntegrations,
  'GUILD_INTEGRATIONS_UPDATE',
  'INTEGRATION_CREATE',
  'INTEGRATION_UPDATE',
  'INTEGRATION_DELETE',
);
guild(Intent.GuildWebhooks, 'WEBHOOKS_UPDATE');
guild(Intent.GuildInvites, 'INVITE_CREATE', 'INVITE_DELETE');
guild(Intent.GuildVoiceStates, 'VOICE_STATE_UPDATE', 'VOICE_CHANNEL_EFFECT_SEND');
guild(Intent.GuildPresences, 'PRESENCE_UPDATE');
guild(Intent.GuildMessages, 'MESSAGE_DELETE_BULK');
guild(
  Intent.GuildScheduledEvents,
  'GUILD_SCHEDULED_EVENT_CREATE',
  'GUILD_SCHEDULED_EVENT_UPDATE',
  'GUILD_SCHEDULED_EVENT_DELETE',
  'GUILD_SCHEDULED_EVENT_USER_ADD',
  'GUILD_SCHEDULED_EVENT_USER_REMOVE',
);
guild(
  Intent.AutoModerationConfiguration,
  'AUTO_MODERATION_RULE_CREATE',
  'AUTO_MODERATION_RULE_UPDATE',
  'AUTO_MODERATION_RULE_DELETE',
);
guild(Intent.AutoModerationExecution, 'AUTO_MODERATION_ACTION_EXECUTION');

for (const event of ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE']) {
  BOTH[event] = [Intent.GuildMessages, Intent.DirectMessages];
}
for (const event of [
  'MESSAGE_REACTION_ADD',
  'MESSAGE_REACTION_REMOVE',
  'MESSAGE_REACTION_REMOVE_ALL',
  'MESSAGE_REACTION_REMOVE_EMOJI',
]) {
  BOTH[event] = [Intent.GuildMessageReactions, Intent.DirectMessageReactions];
}
BOTH.TYPING_START = [Intent.GuildMessageTyping, Intent.DirectMessageTyping];
BOTH.CHANNEL_PINS_UPDATE = [Intent.Guilds, Intent.DirectMessages];
BOTH.MESSAGE_POLL_VOTE_ADD = [Intent.GuildMessagePolls, Intent.DirectMessagePolls];
BOTH.MESSAGE_POLL_VOTE_REMOVE = [Intent.GuildMessagePolls, Intent.DirectMessagePolls];

/**
 * The intent an event belongs to on Discord (`inGuild` picks the guild or the direct-message flavour), or null for
 * events every session gets (READY, USER_UPDATE, INTERACTION_CREATE, ...).
 */
export function eventIntent(event: string, inGuild: boolean): number | null {
  const both = BOTH[event];
  if (both) return inGuild ? both[0] : both[1];
  return GUILD_ONLY[event] ?? null;
}

const CONTENT_EVENTS = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE']);

/** true when the event carries message content that MESSAGE_CONTENT gates. */
export function carriesMessageContent(event: string): boolean {
  return CONTENT_EVENTS.has(event);
}

interface MessageLike {
  guild_id?: unknown;
  author?: { id?: unknown };
  mentions?: { id?: unknown }[];
}

/**
 * Discord's MESSAGE_CONTENT rule: without the intent, content is kept only in DMs, in the recipient's own messages
 * and in messages that mention the recipient.
 */
export function mayReadContent(message: unknown, userId: string, intents: number): boolean {
  if ((intents & Intent.MessageContent) !== 0) return true;
  const m = message as MessageLike | null;
  if (m === null || typeof m !== 'object') return true;
  if (m.guild_id == null) return true;
  if (m.author?.id === userId) return true;
  if (Array.isArray(m.mentions)) for (const u of m.mentions) if (u?.id === userId) return true;
  return false;
}

/** The message with the content fields emptied, as Discord sends it to sessions without MESSAGE_CONTENT. */
export function stripMessageContent(message: unknown): unknown {
  if (message === null || typeof message !== 'object') return message;
  const m = message as Record<string, unknown>;
  const out: Record<string, unknown> = { ...m };
  if ('content' in m) out.content = '';
  if ('embeds' in m) out.embeds = [];
  if ('attachments' in m) out.attachments = [];
  if ('components' in m) out.components = [];
  if ('poll' in m) delete out.poll;
  return out;
}
