import { serializeGuild } from '@concord/gateway-server/serialize';
import type { APIGuild, APIPartialGuild, RESTAPIPartialCurrentUserGuild } from 'discord-api-types/v10';
import { AuditLogEvent, ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import {
  type ChannelRecord,
  GUILD_PARTITION,
  type GuildRecord,
  type MemberRecord,
  type RoleRecord,
} from '../model/records.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import { put, remove, removeAll } from '../store/CommunityRepository.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireGuildPermissions, requireMember } from './access.js';
import { defaultEveryonePermissions } from './defaultPermissions.js';
import { diffChanges } from './diffChanges.js';
import { newMember } from './newMember.js';
import { type ImageData, readImageData } from './readImageData.js';
import { storeImage } from './storeImage.js';

/** Body of `POST /guilds` (the fields Discord's client sends; templates and icons beyond a hash are not supported). */
export interface CreateGuildBody {
  name?: unknown;
  icon?: unknown;
  [key: string]: unknown;
}

/** What `GuildService.create` takes besides the body. */
export interface CreateGuildOptions {
  ignoreLimit?: boolean;
  /** Fixed ids for the guild and its starter channels (each left out is a fresh snowflake). */
  ids?: { guild?: string; textCategory?: string; voiceCategory?: string; general?: string; voiceGeneral?: string };
}

/** Body of `PATCH /guilds/{id}`. */
export interface ModifyGuildBody {
  name?: unknown;
  icon?: unknown;
  description?: unknown;
  owner_id?: unknown;
  system_channel_id?: unknown;
  afk_channel_id?: unknown;
  afk_timeout?: unknown;
  verification_level?: unknown;
  default_message_notifications?: unknown;
  explicit_content_filter?: unknown;
  [key: string]: unknown;
}

/** Largest guild icon Discord accepts (10 MiB). */
export const MAX_ICON_BYTES = 10 * 1024 * 1024;
/** Longest guild list of one user (Discord's limit for a non-bot account). */
export const MAX_GUILDS_PER_USER = 100;
const AFK_TIMEOUTS = new Set([60, 300, 900, 1800, 3600]);

/**
 * Guilds: create (`POST /guilds`, the route Discord's own client uses), read, modify (ownership transfer included),
 * delete, and a user's guild list. A new guild gets what Discord's "Create My Own" gives it: `@everyone` with the
 * default permissions, a "Text Channels" category with #general (the system channel) and a "Voice Channels" category
 * with "General".
 */
export class GuildService {
  constructor(private readonly ctx: CommunityContext) {}

  /**
   * `POST /guilds`. `options.ignoreLimit` lifts the per-user guild limit (a server seeding its own guilds);
   * `options.ids` fixes the new guild's and its starter channels' ids (a seeded guild that bots and bookmarks find
   * under the same ids on every backend); left out, fresh snowflakes.
   */
  async create(actorId: string, body: CreateGuildBody, options: CreateGuildOptions = {}): Promise<APIGuild> {
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const name = checkString(body?.name, errors, ['name'], { max: 100, required: true, trim: true });
    if (name !== undefined && [...name].length < 2)
      errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
    const icon =
      body?.icon === undefined || body?.icon === null
        ? undefined
        : readImageData(body.icon, errors, ['icon'], MAX_ICON_BYTES);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const { ctx } = this;
    const user = await ctx.users.get(actorId);
    if (!user) throw new MissingAccessError();
    if (options.ignoreLimit !== true) {
      const memberships = await ctx.repo.store.listByRef('member', actorId, { limit: MAX_GUILDS_PER_USER });
      if (memberships.length >= MAX_GUILDS_PER_USER && user.bot !== true) throw new CommunityError('maxGuilds');
    }
    const fixed = options.ids ?? {};
    const guildId = fixed.guild ?? ctx.nextId();
    if (icon) {
      if (!ctx.blobs) throw new CommunityError('noBlobStore');
      await storeImage(ctx.blobs, `icons/${guildId}/${icon.hash}.${icon.extension}`, icon);
    }
    const textCategory = fixed.textCategory ?? ctx.nextId();
    const voiceCategory = fixed.voiceCategory ?? ctx.nextId();
    const general = fixed.general ?? ctx.nextId();
    const voiceGeneral = fixed.voiceGeneral ?? ctx.nextId();
    const guild: GuildRecord = {
      id: guildId,
      name: name!,
      owner_id: actorId,
      icon: icon?.hash ?? null,
      description: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      afk_channel_id: null,
      afk_timeout: 300,
      system_channel_id: general,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      preferred_locale: 'en-US',
      features: [],
    };
    const everyone: RoleRecord = {
      id: guildId,
      name: '@everyone',
      permissions: defaultEveryonePermissions.toString(),
      position: 0,
      color: 0,
      hoist: false,
      mentionable: false,
      managed: false,
      icon: null,
      unicode_emoji: null,
      flags: 0,
    };
    const channel = (
      id: string,
      type: ChannelType,
      name: string,
      position: number,
      parent: string | null,
    ): ChannelRecord => ({
      id,
      type,
      guild_id: guildId,
      name,
      position,
      parent_id: parent,
      permission_overwrites: [],
      nsfw: false,
      flags: 0,
      ...(type === ChannelType.GuildText ? { topic: null, rate_limit_per_user: 0, last_message_id: null } : {}),
      ...(type === ChannelType.GuildVoice
        ? { bitrate: 64000, user_limit: 0, rtc_region: null, rate_limit_per_user: 0, last_message_id: null }
        : {}),
    });
    const channels = [
      channel(textCategory, ChannelType.GuildCategory, 'Text Channels', 0, null),
      channel(voiceCategory, ChannelType.GuildCategory, 'Voice Channels', 1, null),
      channel(general, ChannelType.GuildText, 'general', 0, textCategory),
      channel(voiceGeneral, ChannelType.GuildVoice, 'General', 0, voiceCategory),
    ];
    const member: MemberRecord = newMember(actorId, new Date(ctx.now()).toISOString());
    await ctx.repo.write([
      put('guild', GUILD_PARTITION, guildId, guild),
      put('role', guildId, everyone.id, everyone),
      ...channels.map((c) => put('channel', guildId, c.id, c)),
      put('member', guildId, actorId, member, actorId),
    ]);
    await ctx.commit([
      { type: 'guild', guild, created: true },
      { type: 'role', guildId, role: everyone },
      ...channels.map((c) => ({ type: 'channel' as const, guildId, channel: c })),
      { type: 'member', guildId, member, user, joined: true },
    ]);
    return this.#wire(guildId);
  }

  /** `GET /guilds/{id}`: members only. `withCounts` adds `approximate_member_count` / `approximate_presence_count`. */
  async get(actorId: string, guildId: string, options: { withCounts?: boolean } = {}): Promise<APIGuild> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    const guild = this.#wire(guildId, state);
    if (options.withCounts === true) {
      Object.assign(guild, { approximate_member_count: state.members.size, approximate_presence_count: 0 });
    }
    return guild;
  }

  /** `PATCH /guilds/{id}`: MANAGE_GUILD; only the owner may transfer ownership (`owner_id`). */
  async modify(actorId: string, guildId: string, body: ModifyGuildBody, reason?: string): Promise<APIGuild> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageGuild);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const next: GuildRecord = { ...state.guild };
    if (body?.name !== undefined) {
      const name = checkString(body.name, errors, ['name'], { max: 100, required: true, trim: true });
      if (name !== undefined && [...name].length < 2)
        errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
      else if (name !== undefined) next.name = name;
    }
    let icon: ImageData | undefined;
    if (body?.icon === null) next.icon = null;
    else if (body?.icon !== undefined) {
      icon = readImageData(body.icon, errors, ['icon'], MAX_ICON_BYTES);
      if (icon) next.icon = icon.hash;
    }
    if (body?.description !== undefined)
      next.description = checkString(body.description, errors, ['description'], { max: 120 }) ?? null;
    for (const field of ['verification_level', 'default_message_notifications', 'explicit_content_filter'] as const) {
      if (body?.[field] !== undefined) {
        const max = field === 'verification_level' ? 4 : field === 'explicit_content_filter' ? 2 : 1;
        const value = checkInteger(body[field], errors, [field], 0, max);
        if (value !== undefined) next[field] = value;
      }
    }
    if (body?.afk_timeout !== undefined) {
      const value = checkInteger(body.afk_timeout, errors, ['afk_timeout'], 60, 3600);
      if (value !== undefined && !AFK_TIMEOUTS.has(value))
        errors.add(['afk_timeout'], 'BASE_TYPE_CHOICES', `Value must be one of {60, 300, 900, 1800, 3600}.`);
      else if (value !== undefined) next.afk_timeout = value;
    }
    for (const field of ['system_channel_id', 'afk_channel_id'] as const) {
      if (body?.[field] === undefined) continue;
      if (body[field] === null) {
        next[field] = null;
        continue;
      }
      const id = checkSnowflake(body[field], errors, [field]);
      if (id !== undefined) {
        const channel = state.channels.get(id);
        const wanted = field === 'afk_channel_id' ? ChannelType.GuildVoice : ChannelType.GuildText;
        if (!channel || channel.type !== wanted) errors.add([field], 'BASE_TYPE_CHOICES', 'Unknown channel.');
        else next[field] = id;
      }
    }
    let newOwner: string | undefined;
    if (body?.owner_id !== undefined) {
      const id = checkSnowflake(body.owner_id, errors, ['owner_id']);
      if (id !== undefined && id !== state.guild.owner_id) {
        if (actorId !== state.guild.owner_id) throw new MissingAccessError();
        if (!state.members.has(id)) errors.add(['owner_id'], 'GUILD_OWNER_INVALID', 'Unknown member.');
        else newOwner = id;
      }
    }
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (newOwner !== undefined) next.owner_id = newOwner;
    if (icon) {
      if (!ctx.blobs) throw new CommunityError('noBlobStore');
      await storeImage(ctx.blobs, `icons/${guildId}/${icon.hash}.${icon.extension}`, icon);
    }
    const changes = diffChanges(state.guild, next);
    if (changes.length === 0) return this.#wire(guildId, state);
    await ctx.repo.write([put('guild', GUILD_PARTITION, guildId, next)]);
    await ctx.commit([{ type: 'guild', guild: next }]);
    const wire = this.#wire(guildId, state);
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_UPDATE', wire);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: guildId,
      actionType: AuditLogEvent.GuildUpdate,
      changes,
      reason,
    });
    return wire;
  }

  /** `DELETE /guilds/{id}`: the owner only; every member's sessions get GUILD_DELETE. */
  async delete(actorId: string, guildId: string): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireMember(state, actorId);
    if (state.guild.owner_id !== actorId) throw new MissingAccessError();
    const memberIds = [...state.members.keys()];
    const channelIds = [...state.channels.keys()];
    await ctx.repo.write([
      ...(['role', 'channel', 'member', 'ban', 'invite', 'emoji', 'audit'] as const).map((kind) =>
        removeAll(kind, guildId),
      ),
      ...channelIds.map((id) => removeAll('pin', id)),
      remove('guild', GUILD_PARTITION, guildId),
    ]);
    await ctx.commit([{ type: 'guildDelete', guildId, memberIds }]);
  }

  /** `GET /users/@me/guilds`: the user's guilds as partial guild objects, with their permissions there. */
  async listForUser(
    actorId: string,
    query: { before?: string; after?: string; limit?: number } = {},
  ): Promise<RESTAPIPartialCurrentUserGuild[]> {
    const limit = Math.min(Math.max(query.limit ?? 200, 1), 200);
    const memberships = await this.ctx.repo.store.listByRef('member', actorId, {
      limit,
      ...(query.after !== undefined
        ? { after: query.after }
        : query.before !== undefined
          ? { before: query.before }
          : {}),
    });
    const out: RESTAPIPartialCurrentUserGuild[] = [];
    for (const membership of memberships) {
      const state = await this.ctx.guilds.load(membership.partition);
      if (!state) continue;
      out.push({
        id: state.id,
        name: state.guild.name,
        icon: state.guild.icon,
        banner: null,
        owner: state.guild.owner_id === actorId,
        permissions: (state.permissionsOf(actorId) ?? 0n).toString(),
        features: state.guild.features as RESTAPIPartialCurrentUserGuild['features'],
      });
    }
    return out;
  }

  /** The guild as invites carry it (Discord's InviteGuildResponse: every field it requires). */
  static partial(guild: GuildRecord): APIPartialGuild {
    return {
      id: guild.id,
      name: guild.name,
      icon: guild.icon,
      splash: null,
      banner: null,
      description: guild.description,
      features: guild.features as APIPartialGuild['features'],
      verification_level: guild.verification_level as APIPartialGuild['verification_level'],
      vanity_url_code: null,
      nsfw_level: 0,
      nsfw: false,
      premium_subscription_count: 0,
    } as APIPartialGuild;
  }

  #wire(guildId: string, known?: ReturnType<CommunityContext['guilds']['peek']>): APIGuild {
    const state = known ?? this.ctx.guilds.peek(guildId);
    if (!state) throw new MissingAccessError();
    const snapshot = state.snapshot();
    return serializeGuild({ ...snapshot, channels: [], members: [] });
  }
}
