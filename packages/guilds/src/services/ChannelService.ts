import { serializeChannel } from '@concord/gateway-server/serialize';
import { allPermissions } from '@concord/protocol/permissions';
import type { APIChannel } from 'discord-api-types/v10';
import { AuditLogEvent, ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { ChannelRecord, OverwriteRecord } from '../model/records.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import { isThread } from '../state/channelKinds.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove, removeAll } from '../store/CommunityRepository.js';
import { checkArray } from '../validation/checkArray.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireChannel, requireChannelPermissions, requireGuildPermissions, requireMember } from './access.js';
import { diffChanges } from './diffChanges.js';
import { readOverwrite, readOverwrites } from './readOverwrites.js';
import type { ThreadService } from './ThreadService.js';

/** Body of `POST /guilds/{id}/channels` and `PATCH /channels/{id}` (guild channels). */
export type ChannelBody = Record<string, unknown>;

/** One item of `PATCH /guilds/{id}/channels`. */
export interface ChannelPositionBody {
  id?: unknown;
  position?: unknown;
  parent_id?: unknown;
  lock_permissions?: unknown;
}

/** Most channels a guild may have (Discord's limit). */
export const MAX_CHANNELS = 500;
/** Guild channel types this model creates. */
const CREATABLE = [
  ChannelType.GuildText,
  ChannelType.GuildVoice,
  ChannelType.GuildCategory,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildStageVoice,
] as const;
const TEXT_TYPES = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);
const VOICE_TYPES = new Set<number>([ChannelType.GuildVoice, ChannelType.GuildStageVoice]);

/**
 * Guild channels: create, read, modify (name, topic, slowmode, voice settings, parent, position, overwrites), delete,
 * reorder, and one overwrite at a time (`PUT/DELETE /channels/{id}/permissions/{overwrite}`). Channel events go to
 * the whole guild, as Discord sends them to bots (a member who cannot view a channel still knows it exists: the
 * GUILD_CREATE lists every channel); what a channel carries (messages, typing, reactions, pins) goes only to those who
 * can view it, which the gateway decides per recipient from the permission cache (docs/architecture.md, "Communities").
 */
export class ChannelService {
  constructor(
    private readonly ctx: CommunityContext,
    private readonly threads: ThreadService,
  ) {}

  /** `GET /guilds/{id}/channels`: every channel but threads. */
  async list(actorId: string, guildId: string): Promise<APIChannel[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    const out: APIChannel[] = [];
    for (const channel of state.channels.values())
      if (!isThread(channel.type)) out.push(serializeChannel(channel, guildId));
    return out;
  }

  /** `GET /channels/{id}` for a guild channel: VIEW_CHANNEL. */
  async get(actorId: string, guildId: string, channelId: string): Promise<APIChannel> {
    const state = await this.ctx.guilds.require(guildId);
    requireChannelPermissions(state, actorId, channelId);
    const channel = requireChannel(state, channelId);
    if (isThread(channel.type)) return this.threads.get(actorId, guildId, channelId);
    return serializeChannel(channel, guildId);
  }

  /** `POST /guilds/{id}/channels`: MANAGE_CHANNELS (and MANAGE_ROLES to set overwrites). */
  async create(actorId: string, guildId: string, body: ChannelBody, reason?: string): Promise<APIChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const granted = requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageChannels);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const type =
      body?.type === undefined || body?.type === null
        ? ChannelType.GuildText
        : checkInteger(body.type, errors, ['type'], 0, 16);
    if (type !== undefined && !(CREATABLE as readonly number[]).includes(type)) {
      const error = formErrorMessages.choices(CREATABLE);
      errors.add(['type'], error.code, error.message);
    }
    const channel: ChannelRecord = {
      id: ctx.nextId(),
      type: type ?? ChannelType.GuildText,
      guild_id: guildId,
      name: '',
      position: 0,
      parent_id: null,
      permission_overwrites: [],
      nsfw: false,
      flags: 0,
    };
    this.#applyFields(state, channel, body ?? {}, errors, true);
    if (body?.position === undefined || body?.position === null) channel.position = this.#nextPosition(state, channel);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (state.channels.size >= MAX_CHANNELS) throw new CommunityError('maxChannels');
    if ((channel.permission_overwrites?.length ?? 0) > 0)
      this.#checkOverwriteGrant(state, actorId, granted, channel.permission_overwrites ?? []);
    if (TEXT_TYPES.has(channel.type))
      Object.assign(channel, {
        topic: channel.topic ?? null,
        rate_limit_per_user: channel.rate_limit_per_user ?? 0,
        last_message_id: null,
      });
    if (VOICE_TYPES.has(channel.type))
      Object.assign(channel, {
        bitrate: channel.bitrate ?? 64000,
        user_limit: channel.user_limit ?? 0,
        rtc_region: null,
        rate_limit_per_user: channel.rate_limit_per_user ?? 0,
        last_message_id: null,
      });
    await ctx.repo.write([put('channel', guildId, channel.id, channel)]);
    await ctx.commit([{ type: 'channel', guildId, channel }]);
    const wire = serializeChannel(channel, guildId);
    ctx.gateway()?.dispatchToGuild(guildId, 'CHANNEL_CREATE', wire as never);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: channel.id,
      actionType: AuditLogEvent.ChannelCreate,
      changes: diffChanges({}, channel),
      reason,
    });
    return wire;
  }

  /** `PATCH /channels/{id}` for a guild channel: MANAGE_CHANNELS (MANAGE_ROLES for `permission_overwrites`). */
  async modify(
    actorId: string,
    guildId: string,
    channelId: string,
    body: ChannelBody,
    reason?: string,
  ): Promise<APIChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    if (isThread(requireChannel(state, channelId).type))
      return this.threads.modify(actorId, guildId, channelId, body, reason);
    const granted = requireChannelPermissions(state, actorId, channelId, PermissionFlagsBits.ManageChannels);
    const old = requireChannel(state, channelId);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const next: ChannelRecord = { ...old };
    this.#applyFields(state, next, body ?? {}, errors, false);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (body?.permission_overwrites !== undefined)
      this.#checkOverwriteGrant(state, actorId, granted, next.permission_overwrites ?? []);
    return this.#save(actorId, state, old, next, AuditLogEvent.ChannelUpdate, reason);
  }

  /** `DELETE /channels/{id}` for a guild channel: MANAGE_CHANNELS; the channel's children move to no category. */
  async delete(actorId: string, guildId: string, channelId: string, reason?: string): Promise<APIChannel> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    if (isThread(requireChannel(state, channelId).type))
      return this.threads.delete(actorId, guildId, channelId, reason);
    requireChannelPermissions(state, actorId, channelId, PermissionFlagsBits.ManageChannels);
    const channel = requireChannel(state, channelId);
    const orphans = [...state.channels.values()]
      .filter((c) => c.parent_id === channelId && !isThread(c.type))
      .map((c) => ({ ...c, parent_id: null }));
    const threads = [...state.channels.values()].filter((c) => c.parent_id === channelId && isThread(c.type));
    await ctx.repo.write([
      remove('channel', guildId, channelId),
      ...threads.map((t) => remove('channel', guildId, t.id)),
      ...orphans.map((c) => put('channel', guildId, c.id, c)),
      removeAll('pin', channelId),
    ]);
    await ctx.commit([
      { type: 'channelDelete', guildId, channelId },
      ...threads.map((t) => ({ type: 'channelDelete' as const, guildId, channelId: t.id })),
      ...orphans.map((c) => ({ type: 'channel' as const, guildId, channel: c })),
    ]);
    const wire = serializeChannel(channel, guildId);
    const gateway = ctx.gateway();
    gateway?.dispatchToGuild(guildId, 'CHANNEL_DELETE', wire as never);
    for (const c of orphans) gateway?.dispatchToGuild(guildId, 'CHANNEL_UPDATE', serializeChannel(c, guildId) as never);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: channelId,
      actionType: AuditLogEvent.ChannelDelete,
      changes: diffChanges(channel, {}),
      reason,
    });
    return wire;
  }

  /** `PATCH /guilds/{id}/channels`: positions (and parents) of several channels in one atomic write. */
  async reorder(actorId: string, guildId: string, body: unknown, reason?: string): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageChannels);
    const errors = new FormErrors();
    const items = checkArray(body, errors, [], MAX_CHANNELS) ?? [];
    const updated = new Map<string, ChannelRecord>();
    items.forEach((item, index) => {
      const entry = checkObject(item, errors, [index]) as ChannelPositionBody | undefined;
      if (!entry) return;
      const id = checkSnowflake(entry.id, errors, [index, 'id']);
      if (id === undefined) return;
      const channel = updated.get(id) ?? state.channels.get(id);
      if (!channel || isThread(channel.type)) {
        errors.add([index, 'id'], 'CHANNEL_NOT_FOUND', 'Unknown channel.');
        return;
      }
      const next = { ...channel };
      const position = checkInteger(entry.position, errors, [index, 'position'], 0, 10_000);
      if (position !== undefined) next.position = position;
      if (entry.parent_id !== undefined) this.#applyParent(state, next, entry.parent_id, errors, [index, 'parent_id']);
      if (checkBoolean(entry.lock_permissions, errors, [index, 'lock_permissions']) === true && next.parent_id) {
        next.permission_overwrites = [...(state.channels.get(next.parent_id as string)?.permission_overwrites ?? [])];
      }
      updated.set(id, next);
    });
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const changed = [...updated.values()].filter((c) => JSON.stringify(c) !== JSON.stringify(state.channels.get(c.id)));
    if (changed.length === 0) return;
    await ctx.repo.write(changed.map((c) => put('channel', guildId, c.id, c)));
    await ctx.commit(changed.map((channel) => ({ type: 'channel' as const, guildId, channel })));
    for (const c of changed)
      ctx.gateway()?.dispatchToGuild(guildId, 'CHANNEL_UPDATE', serializeChannel(c, guildId) as never);
    void reason;
  }

  /** `PUT /channels/{id}/permissions/{overwrite_id}`: MANAGE_ROLES in the channel. */
  async editOverwrite(
    actorId: string,
    guildId: string,
    channelId: string,
    overwriteId: string,
    body: unknown,
    reason?: string,
  ): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    const granted = requireChannelPermissions(state, actorId, channelId, PermissionFlagsBits.ManageRoles);
    const old = requireChannel(state, channelId);
    const errors = new FormErrors();
    const overwrite = readOverwrite(body, errors, [], overwriteId);
    if (!errors.isEmpty || !overwrite) throw new InvalidFormBodyError(errors.toJSON());
    this.#checkOverwriteGrant(state, actorId, granted, [overwrite]);
    const overwrites = (old.permission_overwrites ?? []).filter((o) => o.id !== overwriteId);
    overwrites.push(overwrite);
    const exists = (old.permission_overwrites ?? []).some((o) => o.id === overwriteId);
    await this.#save(
      actorId,
      state,
      old,
      { ...old, permission_overwrites: overwrites },
      exists ? AuditLogEvent.ChannelOverwriteUpdate : AuditLogEvent.ChannelOverwriteCreate,
      reason,
    );
  }

  /** `DELETE /channels/{id}/permissions/{overwrite_id}`: MANAGE_ROLES in the channel; absent is fine (204 as Discord). */
  async deleteOverwrite(
    actorId: string,
    guildId: string,
    channelId: string,
    overwriteId: string,
    reason?: string,
  ): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    requireChannelPermissions(state, actorId, channelId, PermissionFlagsBits.ManageRoles);
    const old = requireChannel(state, channelId);
    if (!(old.permission_overwrites ?? []).some((o) => o.id === overwriteId)) return;
    const overwrites = (old.permission_overwrites ?? []).filter((o) => o.id !== overwriteId);
    await this.#save(
      actorId,
      state,
      old,
      { ...old, permission_overwrites: overwrites },
      AuditLogEvent.ChannelOverwriteDelete,
      reason,
    );
  }

  async #save(
    actorId: string,
    state: GuildState,
    old: ChannelRecord,
    next: ChannelRecord,
    action: AuditLogEvent,
    reason?: string,
  ): Promise<APIChannel> {
    const { ctx } = this;
    const guildId = state.id;
    const changes = diffChanges(old, next);
    const wire = serializeChannel(next, guildId);
    if (changes.length === 0) return wire;
    await ctx.repo.write([put('channel', guildId, next.id, next)]);
    await ctx.commit([{ type: 'channel', guildId, channel: next }]);
    ctx.gateway()?.dispatchToGuild(guildId, isThread(next.type) ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', wire as never);
    await ctx.audit.record({ guildId, userId: actorId, targetId: next.id, actionType: action, changes, reason });
    return wire;
  }

  /** Reads the writable fields of a channel body into `channel` (creation requires `name`). */
  #applyFields(
    state: GuildState,
    channel: ChannelRecord,
    body: Record<string, unknown>,
    errors: FormErrors,
    creating: boolean,
  ): void {
    if (creating || body.name !== undefined) {
      const name = checkString(body.name, errors, ['name'], { max: 100, required: true, trim: true });
      if (name !== undefined)
        channel.name = TEXT_TYPES.has(channel.type) ? name.toLowerCase().replace(/\s+/g, '-') : name;
    }
    if (body.position !== undefined && body.position !== null) {
      const position = checkInteger(body.position, errors, ['position'], 0, 10_000);
      if (position !== undefined) channel.position = position;
    }
    if (body.parent_id !== undefined) this.#applyParent(state, channel, body.parent_id, errors, ['parent_id']);
    if (body.nsfw !== undefined) channel.nsfw = checkBoolean(body.nsfw, errors, ['nsfw']) ?? false;
    if (body.permission_overwrites !== undefined)
      channel.permission_overwrites =
        readOverwrites(body.permission_overwrites, errors, ['permission_overwrites']) ?? [];
    if (TEXT_TYPES.has(channel.type)) {
      if (body.topic !== undefined) channel.topic = checkString(body.topic, errors, ['topic'], { max: 1024 }) ?? null;
    }
    if (TEXT_TYPES.has(channel.type) || VOICE_TYPES.has(channel.type)) {
      if (body.rate_limit_per_user !== undefined)
        channel.rate_limit_per_user =
          checkInteger(body.rate_limit_per_user, errors, ['rate_limit_per_user'], 0, 21600) ?? 0;
    }
    if (VOICE_TYPES.has(channel.type)) {
      if (body.bitrate !== undefined)
        channel.bitrate = checkInteger(body.bitrate, errors, ['bitrate'], 8000, 384000) ?? 64000;
      if (body.user_limit !== undefined)
        channel.user_limit = checkInteger(body.user_limit, errors, ['user_limit'], 0, 99) ?? 0;
    }
  }

  #applyParent(
    state: GuildState,
    channel: ChannelRecord,
    value: unknown,
    errors: FormErrors,
    path: (string | number)[],
  ): void {
    if (value === null) {
      channel.parent_id = null;
      return;
    }
    const parent = checkSnowflake(value, errors, path);
    if (parent === undefined) return;
    const category = state.channels.get(parent);
    if (!category || category.type !== ChannelType.GuildCategory || channel.type === ChannelType.GuildCategory) {
      errors.add(path, 'CHANNEL_PARENT_INVALID', 'Not a category.');
      return;
    }
    channel.parent_id = parent;
  }

  /** Below the other channels of its kind in its category (Discord appends new channels). */
  #nextPosition(state: GuildState, channel: ChannelRecord): number {
    let max = -1;
    for (const other of state.channels.values()) {
      if (other.parent_id === channel.parent_id && !isThread(other.type) && Number(other.position ?? 0) > max)
        max = Number(other.position);
    }
    return max + 1;
  }

  /**
   * Discord's rule for writing overwrites: a member who is not an administrator (or the owner) may only allow or
   * deny permissions they hold themselves (in the channel, or the guild when creating).
   */
  #checkOverwriteGrant(
    state: GuildState,
    actorId: string,
    granted: bigint,
    overwrites: readonly OverwriteRecord[],
  ): void {
    if (granted === allPermissions) return;
    if (overwrites.some((o) => !state.roles.has(o.id) && o.type === 0)) throw new UnknownEntityError('role');
    let asked = 0n;
    for (const o of overwrites) asked |= BigInt(o.allow) | BigInt(o.deny);
    const missing = asked & ~granted;
    if (missing !== 0n) throw new MissingPermissionsError(missing);
    void actorId;
  }
}
