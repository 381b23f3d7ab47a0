import type { GuildFeature, RESTAPIPartialCurrentUserGuild } from 'discord-api-types/v10';
import type { GuildSnapshot } from '../types.js';
import { arr, strOrNull } from './fields.js';

/**
 * One entry of `GET /users/@me/guilds`: the guild as the current user sees it, with their computed permissions
 * (decimal string) and whether they own it.
 */
export function serializeCurrentUserGuild(
  guild: Pick<GuildSnapshot, 'id' | 'name' | 'owner_id'> & Record<string, unknown>,
  viewer: { userId: string; permissions: string },
): RESTAPIPartialCurrentUserGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: strOrNull(guild.icon),
    banner: strOrNull(guild.banner),
    owner: guild.owner_id === viewer.userId,
    permissions: viewer.permissions,
    features: arr<GuildFeature>(guild.features),
  };
}
