import type { GatewayGuildCreateDispatchData } from 'discord-api-types/v10';
import type { ChannelData, GuildMemberData, GuildSnapshot, PresenceData, VoiceStateData } from '../types.js';
import { discordTimestamp } from './discordTimestamp.js';
import { arr, extras } from './fields.js';
import { memoizeByIdentity } from './memoizeByIdentity.js';
import { serializeChannel } from './serializeChannel.js';
import { GUILD_FIELDS, serializeGuild } from './serializeGuild.js';
import { serializeMember, serializeMemberOnce } from './serializeMember.js';
import { serializePresence } from './serializePresence.js';
import { serializeThread } from './serializeThread.js';
import { serializeVoiceState } from './serializeVoiceState.js';

/** A channel as GUILD_CREATE lists it (without a `guild_id` it lacks), shared by every session (memoizeByIdentity.ts). */
const channelInGuildCreate = memoizeByIdentity((channel: ChannelData) => serializeChannel(channel));

/**
 * What every session's GUILD_CREATE of one guild version shares: the guild object, its channels, threads and the
 * other guild-level lists, and what an integrator added. Built once per snapshot object (memoizeByIdentity.ts: a
 * directory hands out a new snapshot per change, as src/Directory.ts and the guilds package's CommunityDirectory do),
 * so an Identify no longer re-serializes the guild, walks its ~60 fields for extras twice and maps its channels; only
 * the per-session parts (members, presences, voice states, `joined_at`, `large`) are built per GUILD_CREATE. The live
 * lists a snapshot may compute when read (presences, voice states) are not part of it.
 */
interface GuildCreateBase {
  guild: ReturnType<typeof serializeGuild>;
  channels: GatewayGuildCreateDispatchData['channels'];
  threads: GatewayGuildCreateDispatchData['threads'];
  stageInstances: GatewayGuildCreateDispatchData['stage_instances'];
  scheduledEvents: GatewayGuildCreateDispatchData['guild_scheduled_events'];
  soundboardSounds: GatewayGuildCreateDispatchData['soundboard_sounds'];
  embeddedActivities: unknown[];
  added: Record<string, unknown>;
}

const guildCreateBase = memoizeByIdentity(
  (guild: GuildSnapshot): GuildCreateBase => ({
    guild: serializeGuild(guild),
    channels: guild.channels.map(channelInGuildCreate) as GatewayGuildCreateDispatchData['channels'],
    // Threads as Discord's thread objects (no position or overwrites); a directory that keeps them raw gets them shaped.
    threads: arr<ChannelData>(guild.threads).map((t) =>
      serializeThread(t),
    ) as GatewayGuildCreateDispatchData['threads'],
    stageInstances: arr(guild.stage_instances),
    scheduledEvents: arr(guild.guild_scheduled_events),
    soundboardSounds: arr(guild.soundboard_sounds),
    embeddedActivities: arr(guild.embedded_activities),
    added: extras(guild, GUILD_FIELDS),
  }),
);

/**
 * The fields of a GUILD_CREATE that differ per session; everything else comes from the snapshot (see
 * serializeGuildCreateJson.ts, which stringifies the rest once per snapshot).
 */
export const GUILD_CREATE_SESSION_KEYS = [
  'joined_at',
  'large',
  'member_count',
  'voice_states',
  'members',
  'presences',
] as const;
export type GuildCreateSessionKey = (typeof GUILD_CREATE_SESSION_KEYS)[number];

type SessionValues = Pick<GuildCreateData, GuildCreateSessionKey>;

/** One per-session field of GUILD_CREATE's `d`, as the object carries it. */
export function guildCreateSessionValue<K extends GuildCreateSessionKey>(
  key: K,
  guild: GuildSnapshot,
  parts: GuildCreateParts,
): SessionValues[K] {
  switch (key) {
    case 'joined_at':
      return discordTimestamp(parts.joinedAt) as SessionValues[K];
    case 'large':
      return parts.large as SessionValues[K];
    case 'member_count':
      return parts.memberCount as SessionValues[K];
    case 'voice_states':
      return parts.voiceStates.map((s) => serializeVoiceState(s, false)) as SessionValues[K];
    case 'members':
      // A small guild's members go to every session of it: serialized once and shared. A large guild's (the session's
      // own member, those in voice) mostly go to one session each: remembered, they would stay for as long as the
      // member does (~0.4 KB per member who ever identified), for a payload a session keeps only until its first
      // heartbeat and rebuilds only for a Resume from seq 0.
      return parts.members.map(parts.large ? serializeMemberOnce : serializeMember) as SessionValues[K];
    default:
      return parts.presences.map((p) => serializePresence(p, guild.id)) as SessionValues[K];
  }
}

/** What of a guild one session gets (src/buildGuildCreate.ts decides: large guilds, presences by intent). */
export interface GuildCreateParts {
  members: GuildMemberData[];
  presences: PresenceData[];
  voiceStates: VoiceStateData[];
  memberCount: number;
  large: boolean;
  /** When the session's user joined (their member's `joined_at`). */
  joinedAt: string | Date | number;
}

/** GUILD_CREATE's extra fields Discord sends that discord-api-types does not list yet. */
export type GuildCreateData = GatewayGuildCreateDispatchData & {
  embedded_activities: unknown[];
  lazy: boolean;
};

/**
 * The `d` of GUILD_CREATE: the guild object plus the gateway-only fields. `unavailable` is optional in
 * discord-api-types but Discord always sends it (false) for an available guild; `embedded_activities` and `lazy` are
 * sent by Discord and not typed there yet. Voice states carry no `member` inside GUILD_CREATE, as on Discord.
 */
export function serializeGuildCreate(guild: GuildSnapshot, parts: GuildCreateParts): GuildCreateData {
  const base = guildCreateBase(guild);
  const g = base.guild;
  // One literal with every field named (not `{ ...g, … }`): a session keeps its GUILD_CREATE in its replay buffer,
  // and V8 stores a spread copy of a 50-field object at more than twice the size (bench/memory.ts).
  const out: GuildCreateData & { home_header: string | null; nsfw: boolean } = {
    id: g.id,
    name: g.name,
    icon: g.icon,
    icon_hash: g.icon_hash,
    splash: g.splash,
    discovery_splash: g.discovery_splash,
    owner_id: g.owner_id,
    region: g.region,
    afk_channel_id: g.afk_channel_id,
    afk_timeout: g.afk_timeout,
    widget_enabled: g.widget_enabled,
    widget_channel_id: g.widget_channel_id,
    verification_level: g.verification_level,
    default_message_notifications: g.default_message_notifications,
    explicit_content_filter: g.explicit_content_filter,
    roles: g.roles,
    emojis: g.emojis,
    features: g.features,
    mfa_level: g.mfa_level,
    application_id: g.application_id,
    system_channel_id: g.system_channel_id,
    system_channel_flags: g.system_channel_flags,
    rules_channel_id: g.rules_channel_id,
    max_presences: g.max_presences,
    max_members: g.max_members,
    vanity_url_code: g.vanity_url_code,
    description: g.description,
    banner: g.banner,
    premium_tier: g.premium_tier,
    premium_subscription_count: g.premium_subscription_count,
    preferred_locale: g.preferred_locale,
    public_updates_channel_id: g.public_updates_channel_id,
    max_video_channel_users: g.max_video_channel_users,
    max_stage_video_channel_users: g.max_stage_video_channel_users,
    nsfw_level: g.nsfw_level,
    stickers: g.stickers,
    premium_progress_bar_enabled: g.premium_progress_bar_enabled,
    hub_type: g.hub_type,
    safety_alerts_channel_id: g.safety_alerts_channel_id,
    incidents_data: g.incidents_data,
    home_header: g.home_header,
    nsfw: g.nsfw,
    joined_at: guildCreateSessionValue('joined_at', guild, parts),
    large: guildCreateSessionValue('large', guild, parts),
    unavailable: false,
    lazy: true,
    member_count: guildCreateSessionValue('member_count', guild, parts),
    voice_states: guildCreateSessionValue('voice_states', guild, parts),
    members: guildCreateSessionValue('members', guild, parts),
    channels: base.channels,
    threads: base.threads,
    presences: guildCreateSessionValue('presences', guild, parts),
    stage_instances: base.stageInstances,
    guild_scheduled_events: base.scheduledEvents,
    soundboard_sounds: base.soundboardSounds,
    embedded_activities: base.embeddedActivities,
  };
  // What an integrator added beyond Discord's fields travels too (rare: only then is the object extended).
  const added = base.added;
  for (const key in added) (out as unknown as Record<string, unknown>)[key] = added[key];
  return out;
}
