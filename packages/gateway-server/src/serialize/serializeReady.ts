import type { APIUnavailableGuild, GatewayReadyDispatchData } from 'discord-api-types/v10';
import type { Snowflake, UserData } from '../types.js';
import { type CurrentUser, serializeCurrentUser } from './serializeUser.js';

export interface ReadyInput {
  /** Gateway version the session connected with (`?v=`). */
  v: number;
  user: UserData;
  guildIds: Snowflake[];
  sessionId: string;
  resumeGatewayUrl: string;
  /** Sent only when the client identified with `shard`, as Discord does. */
  shard?: [number, number];
  application: { id: Snowflake; flags: number; [key: string]: unknown };
}

/** READY's `d`, with the fields Discord sends beyond what discord-api-types lists. */
export type ReadyData = GatewayReadyDispatchData & {
  user: CurrentUser;
  application: GatewayReadyDispatchData['application'];
  session_type: 'normal';
  private_channels: unknown[];
  presences: unknown[];
  relationships: unknown[];
  guild_join_requests: unknown[];
  geo_ordered_rtc_regions: string[];
  user_settings: Record<string, never>;
  auth_session_id_hash?: string;
};

/**
 * The `d` of READY. Guilds are unavailable stubs (their GUILD_CREATEs follow); `user` is the current user with its
 * private fields (`mfa_enabled`, `verified`, `flags`… discord.py reads them unconditionally). `application.flags_new`
 * is typed required by discord-api-types but is not in Discord's READY (which has `{ id, flags }`); it is sent as
 * the string form of `flags` so typed clients find it.
 */
export function serializeReady(input: ReadyInput): ReadyData {
  const out: ReadyData = {
    v: input.v,
    user: serializeCurrentUser(input.user),
    guilds: input.guildIds.map((id): APIUnavailableGuild => ({ id, unavailable: true })),
    session_id: input.sessionId,
    resume_gateway_url: input.resumeGatewayUrl,
    application: { ...input.application, flags_new: String(input.application.flags) },
    session_type: 'normal',
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    user_settings: {},
  };
  if (input.shard !== undefined) out.shard = input.shard;
  return out;
}
