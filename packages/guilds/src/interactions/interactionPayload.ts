import { serializeChannel, serializeMemberWithoutUser, serializeUser } from '@concord/gateway-server/serialize';
import type { APIChannel, APIMessage, InteractionContextType } from 'discord-api-types/v10';
import type { InteractionRecord } from '../model/interactionRecords.js';
import type { ChannelRecord, UserRecord } from '../model/records.js';
import type { GuildState } from '../state/GuildState.js';

/** Where an interaction happens, as the service resolved it. */
export interface InteractionPlace {
  state: GuildState | null;
  channel: ChannelRecord;
  /** A DM as the invoker sees it (DmService.wire); null in a guild. */
  dm: APIChannel | null;
  /** The invoker's permissions in the channel. */
  permissions: bigint;
  /** The application's (its bot's) permissions in the channel. */
  appPermissions: bigint;
  context: InteractionContextType;
}

/** Discord's upload limit for an application without boosts (`attachment_size_limit`). */
const ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024;

/**
 * INTERACTION_CREATE's `d` for the application: Discord's interaction object with the invoker as `member` (with
 * `permissions`) in a guild or `user` in a DM, the channel with the invoker's permissions, `app_permissions`, the
 * token, locales and the authorizing installation (the guild for guild installs, the user otherwise).
 */
export function interactionPayload(
  record: InteractionRecord,
  data: Record<string, unknown>,
  place: InteractionPlace,
  invoker: UserRecord,
  message: APIMessage | null,
): Record<string, unknown> {
  const { state } = place;
  const channel = state
    ? { ...(serializeChannel(place.channel, state.id) as object), permissions: String(place.permissions) }
    : { ...(place.dm ?? { id: place.channel.id, type: place.channel.type }), permissions: String(place.permissions) };
  const member = state?.members.get(invoker.id);
  const locale = typeof invoker.locale === 'string' ? invoker.locale : 'en-US';
  const out: Record<string, unknown> = {
    id: record.id,
    application_id: record.application_id,
    type: record.type,
    data,
    channel_id: place.channel.id,
    channel,
    token: record.token,
    version: 1,
    app_permissions: String(place.appPermissions),
    locale,
    entitlements: [],
    authorizing_integration_owners: record.metadata.authorizing_integration_owners,
    context: place.context,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
  if (state && member) {
    out.guild_id = state.id;
    out.guild = { id: state.id, locale: state.guild.preferred_locale, features: state.guild.features };
    out.guild_locale = state.guild.preferred_locale;
    out.member = {
      ...serializeMemberWithoutUser(member.data),
      user: serializeUser(invoker),
      permissions: String(place.permissions),
    };
  } else {
    out.user = serializeUser(invoker);
  }
  if (message) out.message = message;
  return out;
}
