import { type GuildCreateData, serializeGuildCreate } from './serialize/serializeGuildCreate.js';
import type { GuildMemberData, GuildSnapshot } from './types.js';
import { GatewayIntentBits } from './wire/protocol.js';

/**
 * The GUILD_CREATE a session gets for a guild: the full guild up to `largeThreshold` members; above it `large: true`
 * and only the members Discord sends for large guilds (the session's own member and members in voice). Presences
 * need GUILD_PRESENCES and cover only the members sent. The object itself is built by src/serialize.
 */
export function buildGuildCreate(
  guild: GuildSnapshot,
  session: { userId: string; intents: number; largeThreshold: number },
): GuildCreateData {
  const memberCount = guild.member_count ?? guild.members.length;
  const large = memberCount > session.largeThreshold;
  const voiceStates = guild.voice_states ?? [];
  let members: GuildMemberData[] = guild.members;
  if (large) {
    const keep = new Set<string>([session.userId]);
    for (const state of voiceStates) keep.add(state.user_id);
    members = guild.members.filter((m) => keep.has(m.user.id)).slice(0, session.largeThreshold);
  }
  let presences = guild.presences ?? [];
  if ((session.intents & GatewayIntentBits.GuildPresences) === 0) presences = [];
  else if (large) {
    const sent = new Set(members.map((m) => m.user.id));
    presences = presences.filter((p) => sent.has(p.user.id));
  }
  const self = guild.members.find((m) => m.user.id === session.userId);
  return serializeGuildCreate(guild, {
    members,
    presences,
    voiceStates,
    memberCount,
    large,
    joinedAt: self?.joined_at ?? 0,
  });
}
