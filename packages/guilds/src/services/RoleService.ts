import { serializeRole } from '@concord/gateway-server/serialize';
import { allPermissions, canManageRole, compareRoles } from '@concord/protocol/permissions';
import type { APIRole } from 'discord-api-types/v10';
import { AuditLogEvent, PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { RoleRecord } from '../model/records.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import type { GuildState } from '../state/GuildState.js';
import { put } from '../store/CommunityRepository.js';
import { checkArray } from '../validation/checkArray.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireGuildPermissions, requireMember } from './access.js';
import { diffChanges } from './diffChanges.js';
import { readPermissionBits } from './readOverwrites.js';

/** Most roles a guild may have (Discord's limit). */
export const MAX_ROLES = 250;

/**
 * Roles: list, create, modify, reorder, delete, with Discord's hierarchy rules: MANAGE_ROLES, and a member who is not
 * the owner may only touch roles strictly below their highest role (`canManageRole`) and grant only permissions they
 * hold. Every change dispatches GUILD_ROLE_CREATE/UPDATE/DELETE and clears the guild's permission cache on every node.
 */
export class RoleService {
  constructor(private readonly ctx: CommunityContext) {}

  /** `GET /guilds/{id}/roles`. */
  async list(actorId: string, guildId: string): Promise<APIRole[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    return [...state.roles.values()].map(serializeRole);
  }

  /** `GET /guilds/{id}/roles/{role}`. */
  async get(actorId: string, guildId: string, roleId: string): Promise<APIRole> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, actorId);
    const role = state.roles.get(roleId);
    if (!role) throw new UnknownEntityError('role');
    return serializeRole(role);
  }

  /** `POST /guilds/{id}/roles`: a new role at position 1 (just above @everyone), as Discord places it. */
  async create(
    actorId: string,
    guildId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<APIRole> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const granted = requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageRoles);
    if (state.roles.size >= MAX_ROLES) throw new CommunityError('maxRoles');
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const role: RoleRecord = {
      ...newRole(ctx.nextId(), 'new role'),
      permissions: (BigInt(state.roles.get(guildId)?.permissions ?? '0') & granted).toString(),
    };
    this.#applyFields(role, body ?? {}, errors);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    this.#checkGrant(granted, BigInt(role.permissions));
    await this.#insert(state, role);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: role.id,
      actionType: AuditLogEvent.RoleCreate,
      changes: diffChanges({}, role),
      reason,
    });
    return serializeRole(role);
  }

  /**
   * A managed role (a bot's, created when the bot is added with permissions): placed like a new role, named after the
   * bot, tagged `{ bot_id }`; nobody may assign, edit or delete it by hand. No permission check: the caller authorized it.
   */
  async createManaged(guildId: string, name: string, permissions: bigint, botId: string): Promise<RoleRecord> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    if (state.roles.size >= MAX_ROLES) throw new CommunityError('maxRoles');
    const role: RoleRecord = {
      ...newRole(ctx.nextId(), name.slice(0, 100)),
      permissions: permissions.toString(),
      managed: true,
      tags: { bot_id: botId },
    };
    await this.#insert(state, role);
    return role;
  }

  /** `PATCH /guilds/{id}/roles/{role}`. */
  async modify(
    actorId: string,
    guildId: string,
    roleId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<APIRole> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const granted = requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageRoles);
    const old = this.#manageable(state, actorId, roleId);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const next: RoleRecord = { ...old };
    this.#applyFields(next, body ?? {}, errors, roleId === guildId);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    // Only newly granted bits need the actor to hold them (a role may keep bits its editor lacks).
    this.#checkGrant(granted, BigInt(next.permissions) & ~BigInt(old.permissions));
    const changes = diffChanges(old, next);
    if (changes.length === 0) return serializeRole(old);
    await ctx.repo.write([put('role', guildId, roleId, next)]);
    await ctx.commit([{ type: 'role', guildId, role: next }]);
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_ROLE_UPDATE', { guild_id: guildId, role: serializeRole(next) });
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: roleId,
      actionType: AuditLogEvent.RoleUpdate,
      changes,
      reason,
    });
    return serializeRole(next);
  }

  /**
   * `PATCH /guilds/{id}/roles`: new positions for some roles. The roles are renumbered 1..n in the resulting order
   * (Discord keeps positions dense), in one atomic write; the actor may only move roles below their highest, and
   * only to places below it.
   */
  async reorder(actorId: string, guildId: string, body: unknown, reason?: string): Promise<APIRole[]> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageRoles);
    const errors = new FormErrors();
    const items = checkArray(body, errors, [], MAX_ROLES) ?? [];
    const wanted = new Map<string, number>();
    items.forEach((item, index) => {
      const entry = checkObject(item, errors, [index]);
      if (!entry) return;
      const id = checkSnowflake(entry.id, errors, [index, 'id']);
      const position = checkInteger(entry.position, errors, [index, 'position'], 0, MAX_ROLES * 4);
      if (id === undefined) return;
      if (!state.roles.has(id) || id === guildId) {
        errors.add([index, 'id'], 'ROLE_NOT_FOUND', 'Unknown role.');
        return;
      }
      if (position !== undefined) wanted.set(id, position);
    });
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const actor = requireMember(state, actorId).permission;
    const guild = state.permissionGuild();
    for (const [id, position] of wanted) {
      const role = guild.roles.find((r) => r.id === id)!;
      if (!canManageRole(guild, actor, role) || !canManageRole(guild, actor, { ...role, position })) {
        throw new MissingPermissionsError(PermissionFlagsBits.ManageRoles);
      }
    }
    // Order: wanted position (or the current one), ties broken as Discord ranks roles; then renumber densely.
    const ordered = [...state.roles.values()]
      .filter((r) => r.id !== guildId)
      .map((r) => ({ role: r, position: wanted.get(r.id) ?? r.position, moved: wanted.has(r.id) }))
      .sort(
        (a, b) =>
          a.position - b.position ||
          Number(a.moved) - Number(b.moved) ||
          compareRoles({ ...a.role, permissions: 0n }, { ...b.role, permissions: 0n }),
      );
    const changed: RoleRecord[] = [];
    ordered.forEach((entry, index) => {
      if (entry.role.position !== index + 1) changed.push({ ...entry.role, position: index + 1 });
    });
    if (changed.length > 0) {
      await ctx.repo.write(changed.map((r) => put('role', guildId, r.id, r)));
      await ctx.commit(changed.map((role) => ({ type: 'role' as const, guildId, role })));
      for (const r of changed)
        ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_ROLE_UPDATE', { guild_id: guildId, role: serializeRole(r) });
      await ctx.audit.record({
        guildId,
        userId: actorId,
        targetId: null,
        actionType: AuditLogEvent.RoleUpdate,
        changes: changed.map((r) => ({ key: `position:${r.id}`, new_value: r.position })),
        reason,
      });
    }
    return [...state.roles.values()].map(serializeRole);
  }

  /** `DELETE /guilds/{id}/roles/{role}`: removed from every member too. */
  async delete(actorId: string, guildId: string, roleId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, PermissionFlagsBits.ManageRoles);
    if (roleId === guildId) throw new CommunityError('cannotDeleteEveryone');
    const role = this.#manageable(state, actorId, roleId);
    const holders = [...state.members.values()].filter((m) => m.record.roles.includes(roleId));
    const members = holders.map((m) => ({ ...m.record, roles: m.record.roles.filter((id) => id !== roleId) }));
    const channels = [...state.channels.values()]
      .filter((c) => (c.permission_overwrites ?? []).some((o) => o.id === roleId))
      .map((c) => ({ ...c, permission_overwrites: (c.permission_overwrites ?? []).filter((o) => o.id !== roleId) }));
    await ctx.repo.write([
      { op: 'delete', kind: 'role', partition: guildId, id: roleId },
      ...members.map((m) => put('member', guildId, m.user_id, m, m.user_id)),
      ...channels.map((c) => put('channel', guildId, c.id, c)),
    ]);
    await ctx.commit([
      { type: 'roleDelete', guildId, roleId },
      ...channels.map((channel) => ({ type: 'channel' as const, guildId, channel })),
    ]);
    ctx.gateway()?.dispatchToGuild(guildId, 'GUILD_ROLE_DELETE', { guild_id: guildId, role_id: roleId });
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: roleId,
      actionType: AuditLogEvent.RoleDelete,
      changes: diffChanges(role, {}),
      reason,
    });
  }

  /**
   * Stores a new role at position 1, just above @everyone, as Discord places new roles: every role at or above it moves
   * up one, in the same atomic write; GUILD_ROLE_CREATE, then GUILD_ROLE_UPDATE for each moved role.
   */
  async #insert(state: GuildState, role: RoleRecord): Promise<void> {
    const { ctx } = this;
    const guildId = state.id;
    const shifted = [...state.roles.values()]
      .filter((r) => r.id !== guildId && r.position >= 1)
      .map((r) => ({ ...r, position: r.position + 1 }));
    await ctx.repo.write([put('role', guildId, role.id, role), ...shifted.map((r) => put('role', guildId, r.id, r))]);
    await ctx.commit([
      { type: 'role', guildId, role },
      ...shifted.map((r) => ({ type: 'role' as const, guildId, role: r })),
    ]);
    const gateway = ctx.gateway();
    gateway?.dispatchToGuild(guildId, 'GUILD_ROLE_CREATE', { guild_id: guildId, role: serializeRole(role) });
    for (const r of shifted) {
      gateway?.dispatchToGuild(guildId, 'GUILD_ROLE_UPDATE', { guild_id: guildId, role: serializeRole(r) });
    }
  }

  /** The role, if the actor may manage it; 10011 when unknown, 50013 when at or above their highest role. */
  #manageable(state: GuildState, actorId: string, roleId: string): RoleRecord {
    const role = state.roles.get(roleId);
    if (!role) throw new UnknownEntityError('role');
    const guild = state.permissionGuild();
    const target = guild.roles.find((r) => r.id === roleId)!;
    if (role.managed && roleId !== state.id) throw new MissingPermissionsError(PermissionFlagsBits.ManageRoles);
    if (roleId !== state.id && !canManageRole(guild, requireMember(state, actorId).permission, target)) {
      throw new MissingPermissionsError(PermissionFlagsBits.ManageRoles);
    }
    return role;
  }

  #checkGrant(granted: bigint, asked: bigint): void {
    if (granted === allPermissions) return;
    const missing = asked & ~granted;
    if (missing !== 0n) throw new MissingPermissionsError(missing);
  }

  #applyFields(role: RoleRecord, body: Record<string, unknown>, errors: FormErrors, everyone = false): void {
    if (body.name !== undefined && !everyone)
      role.name = checkString(body.name, errors, ['name'], { max: 100, required: true, trim: true }) ?? role.name;
    if (body.permissions !== undefined) {
      const bits = readPermissionBits(body.permissions, errors, ['permissions']);
      if (bits !== undefined) role.permissions = bits.toString();
    }
    if (body.color !== undefined) role.color = checkInteger(body.color, errors, ['color'], 0, 0xffffff) ?? 0;
    if (body.hoist !== undefined) role.hoist = checkBoolean(body.hoist, errors, ['hoist']) ?? false;
    if (body.mentionable !== undefined)
      role.mentionable = checkBoolean(body.mentionable, errors, ['mentionable']) ?? false;
    if (body.unicode_emoji !== undefined)
      role.unicode_emoji = checkString(body.unicode_emoji, errors, ['unicode_emoji'], { max: 32 }) ?? null;
  }
}

/** A role as created: position 1, no permissions, colour or flags. */
function newRole(id: string, name: string): RoleRecord {
  return {
    id,
    name,
    permissions: '0',
    position: 1,
    color: 0,
    hoist: false,
    mentionable: false,
    managed: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
  };
}
