import type {
  APIApplicationCommandOption,
  APIApplicationCommandPermission,
  APIMessageInteractionMetadata,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  InteractionType,
  LocalizationMap,
} from 'discord-api-types/v10';

/**
 * What the interaction layer keeps in the entity store: application commands and their permissions, channel
 * webhooks, interactions (with their tokens and response state) and ephemeral messages. Fields are Discord's, as in
 * records.ts.
 */

/**
 * An application command (`kind 'command'`): partition the application id for a global command,
 * `<application>:<guild>` for a guild command ({@link commandPartition}). The stored object is Discord's
 * `APIApplicationCommand` as `GET` answers it.
 */
export interface CommandRecord {
  id: string;
  application_id: string;
  guild_id?: string;
  version: string;
  type: ApplicationCommandType;
  name: string;
  name_localizations?: LocalizationMap | null;
  description: string;
  description_localizations?: LocalizationMap | null;
  options?: APIApplicationCommandOption[];
  default_member_permissions: string | null;
  dm_permission?: boolean;
  nsfw?: boolean;
  contexts?: InteractionContextType[] | null;
  integration_types?: ApplicationIntegrationType[];
  [key: string]: unknown;
}

/** The partition of an application's global commands (no guild) or its commands in one guild. */
export function commandPartition(applicationId: string, guildId: string | null | undefined): string {
  return guildId ? `${applicationId}:${guildId}` : applicationId;
}

/**
 * One command's permission overwrites in one guild (`kind 'command-permissions'`, partition
 * `<application>:<guild>`, id the command's id, or the application's id for its application-wide overwrites), as
 * Discord's `GuildApplicationCommandPermissions`.
 */
export interface CommandPermissionsRecord {
  id: string;
  application_id: string;
  guild_id: string;
  permissions: APIApplicationCommandPermission[];
}

/**
 * A channel webhook (`kind 'webhook'`, partition the guild id, ref the channel id). `token` is the secret of
 * `/webhooks/{id}/{token}`; `application_id` is set when an application (bot) created it.
 */
export interface WebhookRecord {
  id: string;
  type: 1 | 2 | 3;
  guild_id: string;
  channel_id: string;
  name: string | null;
  avatar: string | null;
  token: string;
  /** Who created it (the `user` Discord includes for those with MANAGE_WEBHOOKS). */
  user_id: string;
  application_id: string | null;
}

/**
 * One interaction (`kind 'interaction'`, partition {@link INTERACTION_PARTITION}, id the interaction id): who invoked
 * what where, the token's secret, and the state of its response (the callback may arrive on any node).
 */
export interface InteractionRecord {
  id: string;
  application_id: string;
  type: InteractionType;
  token: string;
  user_id: string;
  guild_id: string | null;
  channel_id: string;
  /** The invoking session (the official client's `session_id`), when it gave one. */
  session_id: string | null;
  nonce: string | null;
  /** Unix ms. */
  created_at: number;
  /** The initial response's type once there is one (4–9), null while pending. */
  response_type: number | null;
  /** The 3-second deadline passed without a response: the invoker was told it failed. */
  failed: boolean;
  /** The message of the initial response (type 4/5) or the component's message (type 6/7). */
  original_message_id: string | null;
  /** The initial response's message is ephemeral (flag 64), kept as an `interaction-message`. */
  ephemeral: boolean;
  /** For a component or modal interaction: the message the component is on. */
  message_id: string | null;
  /** What the resulting messages carry as `interaction_metadata`. */
  metadata: APIMessageInteractionMetadata;
  /** The type of the messages it creates: 20 chat input, 23 context menu, 19 reply (to a component's message). */
  message_type: 19 | 20 | 23;
  /** The modal it answered with (type 9), until submitted once. */
  modal: { custom_id: string; title: string; components: unknown[] } | null;
  /** The invoked command's name (with subcommands) for the deprecated `interaction` field of messages. */
  name: string;
  /** An autocomplete interaction's focused option type (its choices' values must be of it). */
  autocomplete_type?: number;
}

export const INTERACTION_PARTITION = 'interaction';

/**
 * An ephemeral message of an interaction (`kind 'interaction-message'`, partition the interaction id): stored here
 * rather than in the channel's history, since only `user_id` sees it.
 */
export interface InteractionMessageRecord {
  id: string;
  user_id: string;
  /** The wire message as it was sent (Discord's message object). */
  message: Record<string, unknown>;
}
