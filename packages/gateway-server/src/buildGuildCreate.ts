import { type GuildCreateData, type GuildCreateParts, serializeGuildCreate } from './serialize/serializeGuildCreate.js';
import type { GuildMemberData, GuildSnapshot, PresenceData } from './types.js';
import { GatewayIntentBits } from './wire/protocol.js';

/** Whether a session gets the guild as a large one (no member list): above its `large_threshold` members. */
export function isLargeFor(guild: GuildSnapshot, session: { largeThreshold: number }): boolean {
  return (guild.member_count ?? guild.members.length) > session.largeThreshold;
}

/**
 * The GUILD_CREATE a session gets for a guild: the full guild up to `largeThreshold` members; above it `large: true`
 * and only the members Discord sends for large guilds (the session's own member and members in voice). Presences
 * need GUILD_PRESENCES and cover only the members sent. The object itself is built by src/serialize.
 *
 * `largeMembers`: for a large guild, those members already looked up by id (the session's own first, then those in
 * voice; `Directory.members`), so the guild's whole member list is not walked once per Identify. `largePresences`:
 * likewise their presences (`Directory.presences` by id), so a GUILD_PRESENCES session does not have the snapshot
 * list every member's presence only to keep those of the few members sent.
 */
export function buildGuildCreate(
  guild: GuildSnapshot,
  session: { userId: string; intents: number; largeThreshold: number },
  largeMembers?: readonly GuildMemberData[],
  largePresences?: readonly PresenceData[],
): GuildCreateData {
  return serializeGuildCreate(guild, guildCreateParts(guild, session, largeMembers, largePresences));
}

/** What of `guild` a session's GUILD_CREATE carries (see {@link buildGuildCreate}), for the object or the JSON. */
export function guildCreateParts(
  guild: GuildSnapshot,
  session: { userId: string; intents: number; largeThreshold: number },
  largeMembers?: readonly GuildMemberData[],
  largePresences?: readonly PresenceData[],
): GuildCreateParts {
  const memberCount = guild.member_count ?? guild.members.length;
  const large = memberCount > session.largeThreshold;
  const voiceStates = guild.voice_states ?? [];
  let members: GuildMemberData[];
  let self: GuildMemberData | undefined;
  if (large && largeMembers) {
    members = largeMembers.slice(0, session.largeThreshold);
    self = members.find((m) => m.user.id === session.userId);
  } else if (large) {
    const keep = new Set<string>([session.userId]);
    for (const state of voiceStates) keep.add(state.user_id);
    members = guild.members.filter((m) => keep.has(m.user.id)).slice(0, session.largeThreshold);
    self = guild.members.find((m) => m.user.id === session.userId);
  } else {
    members = guild.members;
    self = members.find((m) => m.user.id === session.userId);
  }
  const wantsPresences = (session.intents & GatewayIntentBits.GuildPresences) !== 0;
  let presences: PresenceData[];
  if (!wantsPresences) presences = [];
  else if (large && largeMembers && largePresences) presences = largePresences as PresenceData[];
  else presences = guild.presences ?? [];
  // Only the sent members' presences (those looked up by id are, unless the threshold cut the member list).
  const exact = presences === largePresences && members.length === largeMembers?.length;
  if (large && presences.length > 0 && !exact) {
    const sent = new Set(members.map((m) => m.user.id));
    presences = presences.filter((p) => sent.has(p.user.id));
  }
  return { members, presences, voiceStates, memberCount, large, joinedAt: self?.joined_at ?? 0 };
}
