import { serializeMember, serializeUser } from '@concord/gateway-server/serialize';
import { canActOnMember, canManageRole } from '@concord/protocol/permissions';
import { idFromTimestamp } from '@concord/snowflake';
import type { APIBan, APIGuildMember } from 'discord-api-types/v10';
import { AuditLogEvent, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { BanRecord, MemberRecord } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import { isTextBased, isVoice } from '../state/channelKinds.js';
import type { GuildState, MemberEntry } from '../state/GuildState.js';
import { put, remove } from '../store/CommunityRepository.js';
import { checkArray } from '../validation/checkArray.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { checkString } from '../validation/checkString.js';
import { checkTimestamp } from '../validation/checkTimestamp.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireGuildPermissions, requireMember } from './access.js';
import { diffChanges } from './diffChanges.js';
import { newMember } from './newMember.js';

/** Longest timeout Discord allows (28 days). */
export const MAX_TIMEOUT_MS = 28 * 24 * 60 * 60 * 1000;
/** Longest message deletion window of a ban (7 days). */
export const MAX_BAN_DELETE_SECONDS = 604_800;

/**
 * Members: join (through an invite or a bot authorization), leave, list, modify (nick, roles, server mute/deafen,
 * timeouts, voice moves and disconnects), role add/remove, kick, and bans (with the message deletion window). Acting on another member needs the
 * action's permission and a highest role above theirs (`canActOnMember`); roles are given or taken only below the
 * actor's highest (`canManageRole`).
 */
export class MemberService {
  constructor(private readonly ctx: CommunityContext) {}

  /** `GET /guilds/{id}/members/{user}`. */
  async get(actorId: string, guildId: string, userId: string): Promise<APIGuildMember> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    return serializeMember(this.#target(state, userId).data);
  }

  /** `GET /guilds/{id}/members?after&limit`: in user id order. */
  async list(
    actorId: string,
    guildId: string,
    query: { after?: string; limit?: number } = {},
  ): Promise<APIGuildMember[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    const limit = Math.min(Math.max(query.limit ?? 1, 1), 1000);
    const page = await this.ctx.repo.list('member', guildId, {
      limit,
      ...(query.after !== undefined ? { after: query.after } : {}),
    });
    const out: APIGuildMember[] = [];
    for (const record of page) {
      const entry = state.members.get(record.id);
      if (entry) out.push(serializeMember(entry.data));
    }
    return out;
  }

  /**
   * Adds a user to a guild (an accepted invite, an authorized bot): GUILD_CREATE to their sessions, GUILD_MEMBER_ADD
   * to the guild. Banned users are refused (40007). Joining twice is a no-op that returns the member.
   */
  async join(
    userId: string,
    guildId: string,
    options: { temporary?: boolean; roles?: string[] } = {},
  ): Promise<APIGuildMember> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const existing = state.members.get(userId);
    if (existing) return serializeMember(existing.data);
    const user = await ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    if (await ctx.repo.get('ban', guildId, userId)) throw new CommunityError('bannedFromGuild');
    const member: MemberRecord = {
      ...newMember(userId, new Date(ctx.now()).toISOString(), options.temporary === true),
      roles: options.roles ?? [],
    };
    await ctx.repo.write([put('member', guildId, userId, member, userId)]);
    await ctx.commit([{ type: 'member', guildId, member, user, joined: true }]);
    const entry = state.members.get(userId);
    const wire = serializeMember(entry?.data ?? { ...member, user });
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_MEMBER_ADD', { ...wire, guild_id: guildId });
    return wire;
  }

  /**
   * Ends the user's temporary memberships (joined through a `temporary` invite) in guilds where they still have no
   * role: Discord removes such members when they disconnect.
   */
  async expireTemporary(userId: string): Promise<number> {
    let removed = 0;
    for (const membership of await this.ctx.repo.allByRef('member', userId)) {
      if (membership.value.temporary !== true || membership.value.roles.length > 0) continue;
      const state = await this.ctx.guilds.load(membership.partition);
      if (!state || state.guild.owner_id === userId) continue;
      await this.#remove(state, userId);
      removed++;
    }
    return removed;
  }

  /** `DELETE /users/@me/guilds/{id}`: the owner cannot leave (they transfer or delete the guild). */
  async leave(userId: string, guildId: string): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, userId);
    if (state.guild.owner_id === userId) throw new CommunityError('ownerCannotLeave');
    await this.#remove(state, userId);
  }

  /** `DELETE /guilds/{id}/members/{user}`: KICK_MEMBERS above the target. */
  async kick(actorId: string, guildId: string, userId: string, reason?: string): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.KickMembers);
    const target = this.#target(state, userId);
    this.#checkHierarchy(state, actorId, target, P.KickMembers);
    await this.#remove(state, userId);
    await this.ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: userId,
      actionType: AuditLogEvent.MemberKick,
      reason,
    });
  }

  /**
   * `PATCH /guilds/{id}/members/{user}` (and `/members/@me` with only `nick`): each field needs its permission —
   * `nick` MANAGE_NICKNAMES (CHANGE_NICKNAME for oneself), `roles` MANAGE_ROLES with every added or removed role below
   * the actor's highest, `mute`/`deaf` MUTE_MEMBERS/DEAFEN_MEMBERS, `communication_disabled_until` MODERATE_MEMBERS
   * (at most 28 days ahead; never on an administrator), `channel_id` MOVE_MEMBERS and CONNECT in the target (null
   * disconnects). Acting on someone else needs a higher role than theirs.
   */
  async modify(
    actorId: string,
    guildId: string,
    userId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<APIGuildMember> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const actor = requireMember(state, actorId);
    const target = this.#target(state, userId);
    const granted = state.permissionsOf(actorId) ?? 0n;
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const fields = body ?? {};
    const next: MemberRecord = { ...target.record };
    let required = 0n;
    const self = actorId === userId;
    if (fields.nick !== undefined) {
      next.nick = checkString(fields.nick, errors, ['nick'], { max: 32, trim: true }) || null;
      required |= self ? P.ChangeNickname : P.ManageNicknames;
    }
    if (fields.roles !== undefined) {
      const ids = (checkArray(fields.roles, errors, ['roles'], 250) ?? []).map((v, i) =>
        checkSnowflake(v, errors, ['roles', i]),
      );
      const roles = [...new Set(ids.filter((id): id is string => id !== undefined && id !== guildId))];
      for (const id of roles) if (!state.roles.has(id)) throw new UnknownEntityError('role');
      const managed = [...roles, ...target.record.roles].filter((id) => state.roles.get(id)?.managed === true);
      for (const id of managed) {
        if (roles.includes(id) !== target.record.roles.includes(id)) throw new MissingPermissionsError(P.ManageRoles);
      }
      next.roles = roles;
      required |= P.ManageRoles;
    }
    if (fields.mute !== undefined) {
      next.mute = checkBoolean(fields.mute, errors, ['mute']) ?? false;
      required |= P.MuteMembers;
    }
    if (fields.deaf !== undefined) {
      next.deaf = checkBoolean(fields.deaf, errors, ['deaf']) ?? false;
      required |= P.DeafenMembers;
    }
    let move: string | null | undefined;
    if (fields.channel_id !== undefined) {
      required |= P.MoveMembers;
      if (fields.channel_id === null) move = null;
      else {
        const id = checkSnowflake(fields.channel_id, errors, ['channel_id']);
        const channel = id === undefined ? undefined : state.channels.get(id);
        if (id !== undefined && (!channel || !isVoice(channel.type)))
          errors.add(['channel_id'], 'CHANNEL_TYPE_INVALID', 'Not a voice channel.');
        else if (id !== undefined) {
          // The mover must be able to join the target themselves (Discord's rule for moves).
          assertPermissions(state.permissionsOf(actorId, id) ?? 0n, P.ViewChannel | P.Connect);
          move = id;
        }
      }
    }
    if (fields.communication_disabled_until !== undefined) {
      required |= P.ModerateMembers;
      if (fields.communication_disabled_until === null) next.communication_disabled_until = null;
      else {
        const text = checkTimestamp(fields.communication_disabled_until, errors, ['communication_disabled_until']);
        const until = text === undefined ? undefined : Date.parse(text);
        if (until !== undefined && until - ctx.now() > MAX_TIMEOUT_MS) {
          errors.add(
            ['communication_disabled_until'],
            'BASE_TYPE_BAD_TIME',
            'Timeout must be at most 28 days in the future.',
          );
        } else if (until !== undefined) next.communication_disabled_until = new Date(until).toISOString();
      }
    }
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const missing = required & ~granted;
    if (missing !== 0n) throw new MissingPermissionsError(missing);
    if (!self || (required & ~P.ChangeNickname) !== 0n) {
      if (!self) this.#checkHierarchy(state, actorId, target, required);
      if (next.roles !== target.record.roles) {
        const guild = state.permissionGuild();
        const changed = [
          ...next.roles.filter((id) => !target.record.roles.includes(id)),
          ...target.record.roles.filter((id) => !next.roles.includes(id)),
        ];
        for (const id of changed) {
          if (!canManageRole(guild, actor.permission, guild.roles.find((r) => r.id === id)!))
            throw new MissingPermissionsError(P.ManageRoles);
        }
      }
      if (next.communication_disabled_until !== null && (state.permissionsOf(userId) ?? 0n) & P.Administrator) {
        throw new MissingPermissionsError(P.ModerateMembers);
      }
    }
    const wire = await this.#save(actorId, state, target, next, reason);
    if (move !== undefined) await this.ctx.commit([{ type: 'voice', guildId, userId, channelId: move }]);
    else if (next.mute !== target.record.mute || next.deaf !== target.record.deaf)
      await this.ctx.commit([{ type: 'voice', guildId, userId }]);
    if (move !== undefined) {
      await this.ctx.audit.record({
        guildId,
        userId: actorId,
        targetId: userId,
        actionType: move === null ? AuditLogEvent.MemberDisconnect : AuditLogEvent.MemberMove,
        ...(move !== null ? { options: { channel_id: move, count: '1' } } : { options: { count: '1' } }),
        reason,
      });
    }
    return wire;
  }

  /** `PUT /guilds/{id}/members/{user}/roles/{role}`. */
  async addRole(actorId: string, guildId: string, userId: string, roleId: string, reason?: string): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    const target = this.#target(state, userId);
    if (target.record.roles.includes(roleId)) {
      requireGuildPermissions(state, actorId, P.ManageRoles);
      return;
    }
    await this.modify(actorId, guildId, userId, { roles: [...target.record.roles, roleId] }, reason);
  }

  /** `DELETE /guilds/{id}/members/{user}/roles/{role}`. */
  async removeRole(actorId: string, guildId: string, userId: string, roleId: string, reason?: string): Promise<void> {
    const state = await this.ctx.guilds.require(guildId);
    const target = this.#target(state, userId);
    if (!state.roles.has(roleId)) throw new UnknownEntityError('role');
    await this.modify(actorId, guildId, userId, { roles: target.record.roles.filter((id) => id !== roleId) }, reason);
  }

  /**
   * `PUT /guilds/{id}/bans/{user}`: BAN_MEMBERS above the target (who need not be a member); their messages of the
   * last `delete_message_seconds` (≤ 7 days) in the guild's channels are deleted.
   */
  async ban(
    actorId: string,
    guildId: string,
    userId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.BanMembers);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const seconds =
      checkInteger(body?.delete_message_seconds, errors, ['delete_message_seconds'], 0, MAX_BAN_DELETE_SECONDS) ??
      (checkInteger(body?.delete_message_days, errors, ['delete_message_days'], 0, 7) ?? 0) * 86_400;
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const user = await ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    const target = state.members.get(userId);
    if (target) this.#checkHierarchy(state, actorId, target, P.BanMembers);
    const ban: BanRecord = { user_id: userId, reason: reason ?? null };
    await ctx.repo.write([put('ban', guildId, userId, ban)]);
    if (target) await this.#remove(state, userId);
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_BAN_ADD', { guild_id: guildId, user: serializeUser(user) });
    if (seconds > 0) await this.#deleteRecentMessages(state, userId, seconds);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: userId,
      actionType: AuditLogEvent.MemberBanAdd,
      reason,
    });
  }

  /** `DELETE /guilds/{id}/bans/{user}`. */
  async unban(actorId: string, guildId: string, userId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.BanMembers);
    if (!(await ctx.repo.get('ban', guildId, userId))) throw new UnknownEntityError('ban');
    await ctx.repo.write([remove('ban', guildId, userId)]);
    const user = await ctx.users.get(userId);
    if (user)
      ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_BAN_REMOVE', { guild_id: guildId, user: serializeUser(user) });
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: userId,
      actionType: AuditLogEvent.MemberBanRemove,
      reason,
    });
  }

  /** `GET /guilds/{id}/bans/{user}`. */
  async getBan(actorId: string, guildId: string, userId: string): Promise<APIBan> {
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.BanMembers);
    const ban = await this.ctx.repo.get('ban', guildId, userId);
    if (!ban) throw new UnknownEntityError('ban');
    return this.#banWire(ban);
  }

  /** `GET /guilds/{id}/bans?before&after&limit` (limit ≤ 1000, by user id). */
  async listBans(
    actorId: string,
    guildId: string,
    query: { before?: string; after?: string; limit?: number } = {},
  ): Promise<APIBan[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.BanMembers);
    const limit = Math.min(Math.max(query.limit ?? 1000, 1), 1000);
    const page = await this.ctx.repo.list('ban', guildId, {
      limit,
      ...(query.after !== undefined
        ? { after: query.after }
        : query.before !== undefined
          ? { before: query.before }
          : {}),
    });
    return Promise.all(page.map((r) => this.#banWire(r.value)));
  }

  async #banWire(ban: BanRecord): Promise<APIBan> {
    const user = (await this.ctx.users.get(ban.user_id)) ?? { id: ban.user_id, username: 'Deleted User' };
    return { reason: ban.reason, user: serializeUser(user) };
  }

  async #save(
    actorId: string,
    state: GuildState,
    target: MemberEntry,
    next: MemberRecord,
    reason?: string,
  ): Promise<APIGuildMember> {
    const { ctx } = this;
    const guildId = state.id;
    const changes = diffChanges(target.record, next);
    if (changes.length === 0) return serializeMember(target.data);
    const user = target.data.user as Parameters<GuildState['setMember']>[1];
    await ctx.repo.write([put('member', guildId, next.user_id, next, next.user_id)]);
    await ctx.commit([{ type: 'member', guildId, member: next, user }]);
    const wire = serializeMember(state.members.get(next.user_id)?.data ?? { ...next, user });
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_MEMBER_UPDATE', { ...wire, guild_id: guildId } as never);
    const roleChange = changes.some((c) => c.key === 'roles');
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: next.user_id,
      actionType: roleChange ? AuditLogEvent.MemberRoleUpdate : AuditLogEvent.MemberUpdate,
      changes,
      reason,
    });
    return wire;
  }

  async #remove(state: GuildState, userId: string): Promise<void> {
    const { ctx } = this;
    const entry = state.members.get(userId);
    await ctx.repo.write([remove('member', state.id, userId)]);
    await ctx.commit([{ type: 'memberDelete', guildId: state.id, userId }]);
    const user = entry?.data.user ?? { id: userId, username: 'Deleted User' };
    ctx.gateway()?.dispatchToGuild(state.id, 'GUILD_MEMBER_REMOVE', { guild_id: state.id, user: serializeUser(user) });
    // A bot's managed role goes with it, as on Discord (nobody else may hold or delete it).
    const managed = [...state.roles.values()].filter(
      (role) => role.managed && (role.tags as { bot_id?: string } | undefined)?.bot_id === userId,
    );
    if (managed.length === 0) return;
    await ctx.repo.write(managed.map((role) => remove('role', state.id, role.id)));
    await ctx.commit(managed.map((role) => ({ type: 'roleDelete' as const, guildId: state.id, roleId: role.id })));
    for (const role of managed) {
      ctx.gateway()?.dispatchToGuild(state.id, 'GUILD_ROLE_DELETE', { guild_id: state.id, role_id: role.id });
    }
  }

  /** The member; 10007 Unknown Member when the user is not in the guild. */
  #target(state: GuildState, userId: string): MemberEntry {
    const member = state.members.get(userId);
    if (!member) throw new UnknownEntityError('member');
    return member;
  }

  #checkHierarchy(state: GuildState, actorId: string, target: MemberEntry, permission: bigint): void {
    const actor = requireMember(state, actorId);
    if (!canActOnMember(state.permissionGuild(), actor.permission, target.permission))
      throw new MissingPermissionsError(permission);
  }

  /** A ban's message deletion: the user's messages newer than the window in every text channel of the guild. */
  async #deleteRecentMessages(state: GuildState, userId: string, seconds: number): Promise<void> {
    const { ctx } = this;
    const after = idFromTimestamp(Math.max(ctx.now() - seconds * 1000, 1_420_070_400_000)).toString();
    for (const channel of state.channels.values()) {
      if (!isTextBased(channel.type)) continue;
      let cursor = after;
      for (let pages = 0; pages < 1000; pages++) {
        const page = await ctx.messages.list(channel.id, { after: cursor, limit: 100 });
        if (page.length === 0) break;
        const ids = page.filter((m) => m.authorId === userId).map((m) => m.id);
        if (ids.length > 0) {
          await ctx.messages.bulkDelete(channel.id, ids);
          const gateway = ctx.gateway();
          if (ids.length === 1)
            gateway?.dispatchToChannel(state.id, channel.id, 'MESSAGE_DELETE', {
              id: ids[0]!,
              channel_id: channel.id,
              guild_id: state.id,
            });
          else
            gateway?.dispatchToChannel(state.id, channel.id, 'MESSAGE_DELETE_BULK', {
              ids,
              channel_id: channel.id,
              guild_id: state.id,
            });
        }
        cursor = page[0]!.id; // lists are newest first: the next page starts after the newest seen
        if (page.length < 100) break;
      }
    }
  }
}
