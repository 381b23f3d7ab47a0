import type {
  GatewayActivity,
  GatewayPresenceClientStatus,
  GatewayPresenceUpdate,
  PresenceUpdateReceiveStatus,
} from 'discord-api-types/v10';
import type { ActivityData, PresenceData, Snowflake } from '../types.js';

/** A presence as Discord sends it in GUILD_CREATE, chunks and PRESENCE_UPDATE. */
export type SerializedPresence = GatewayPresenceUpdate & {
  status: PresenceUpdateReceiveStatus;
  activities: GatewayActivity[];
  client_status: GatewayPresenceClientStatus;
};

/** A short stable id for an activity that came without one (Discord's are opaque hex strings; `custom` for type 4). */
function activityId(activity: ActivityData): string {
  if (typeof activity.id === 'string') return activity.id;
  if (activity.type === 4) return 'custom';
  let h = 0x811c9dc5;
  for (let i = 0; i < activity.name.length; i++) h = Math.imul(h ^ activity.name.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * An activity as others receive it: with `id` and `created_at` (required in discord-api-types, always sent by
 * Discord), kept when present. The gateway stamps them once when a presence is set (src/GatewayServer.ts), so
 * PRESENCE_UPDATE, GUILD_CREATE and the member list show the same values.
 */
export function serializeActivity(
  activity: ActivityData,
  since: number,
): ActivityData & { id: string; created_at: number } {
  return {
    ...activity,
    id: activityId(activity),
    created_at: typeof activity.created_at === 'number' ? activity.created_at : since,
  };
}

/**
 * Discord's presence object. `status`, `activities` and `client_status` are optional in discord-api-types but always
 * sent; the user is `{ id }` as Discord sends it in presences (a directory's full user is cut down); `invisible` is
 * shown to others as `offline`.
 */
export function serializePresence(presence: PresenceData, guildId: Snowflake): SerializedPresence {
  const since = typeof presence.since === 'number' && presence.since > 0 ? presence.since : Date.now();
  return {
    user: { id: presence.user.id },
    guild_id: guildId,
    status: (presence.status === 'invisible' ? 'offline' : presence.status) as PresenceUpdateReceiveStatus,
    // Validated on the way in (src/validatePresence.ts): the Discord activity fields and nothing else.
    activities: presence.activities.map((a) => serializeActivity(a, since) as unknown as GatewayActivity),
    client_status: (presence.client_status ?? {}) as GatewayPresenceClientStatus,
  };
}
