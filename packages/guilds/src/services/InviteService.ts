import { randomBytes } from 'node:crypto';
import { discordTimestamp, serializeChannel, serializeUser } from '@concord/gateway-server/serialize';
import type { APIExtendedInvite, APIInvite } from 'discord-api-types/v10';
import { AuditLogEvent, InviteType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { InviteRecord } from '../model/records.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove } from '../store/CommunityRepository.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireChannelPermissions, requireGuildPermissions } from './access.js';
import { GuildService } from './GuildService.js';
import type { MemberService } from './MemberService.js';

const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An invite code as Discord makes them: 8 characters of [A-Za-z0-9] (unbiased: 62 of 256 byte values rejected). */
export function newInviteCode(): string {
  let code = '';
  while (code.length < 8) {
    for (const byte of randomBytes(16)) {
      if (byte < 248 && code.length < 8) code += CODE_ALPHABET[byte % 62];
    }
  }
  return code;
}

/**
 * Invites: create on a channel (CREATE_INSTANT_INVITE; `max_age` 0–604800 s, default 86400, 0 = never; `max_uses`
 * 0–100, 0 = unlimited; `temporary`; `unique`), read by code (anyone), accept (`POST /invites/{code}`, the route
 * Discord's client joins with: an expired or used-up invite is 10006, the use is counted atomically), list per channel
 * (MANAGE_CHANNELS) or guild (MANAGE_GUILD), delete (MANAGE_CHANNELS in the channel or MANAGE_GUILD).
 */
export class InviteService {
  constructor(
    private readonly ctx: CommunityContext,
    private readonly members: MemberService,
  ) {}

  async create(
    actorId: string,
    channelId: string,
    body: Record<string, unknown> | undefined,
    reason?: string,
  ): Promise<APIExtendedInvite> {
    const { ctx } = this;
    const guildId = await ctx.guilds.locateChannel(channelId);
    if (!guildId) throw new UnknownEntityError('channel');
    const state = await ctx.guilds.require(guildId);
    requireChannelPermissions(state, actorId, channelId, P.CreateInstantInvite);
    const errors = new FormErrors();
    checkObject(body, errors, []);
    const maxAge = checkInteger(body?.max_age, errors, ['max_age'], 0, 604_800) ?? 86_400;
    const maxUses = checkInteger(body?.max_uses, errors, ['max_uses'], 0, 100) ?? 0;
    const temporary = checkBoolean(body?.temporary, errors, ['temporary']) ?? false;
    const unique = checkBoolean(body?.unique, errors, ['unique']) ?? false;
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (!unique) {
      // Discord hands back an existing invite of the same settings by the same user when `unique` is false.
      for (const existing of await ctx.repo.list('invite', guildId, { limit: 1000 })) {
        const v = existing.value;
        if (
          v.channel_id === channelId &&
          v.inviter_id === actorId &&
          v.max_age === maxAge &&
          v.max_uses === maxUses &&
          v.temporary === temporary &&
          this.#live(v)
        ) {
          return this.#wire(state, v);
        }
      }
    }
    const invite: InviteRecord = {
      code: newInviteCode(),
      guild_id: guildId,
      channel_id: channelId,
      inviter_id: actorId,
      max_age: maxAge,
      max_uses: maxUses,
      temporary,
      uses: 0,
      created_at: new Date(ctx.now()).toISOString(),
    };
    await ctx.repo.write([put('invite', guildId, invite.code, invite)]);
    const wire = await this.#wire(state, invite);
    ctx.gateway()?.dispatchToGuild(guildId, 'INVITE_CREATE', {
      channel_id: channelId,
      code: invite.code,
      created_at: discordTimestamp(invite.created_at),
      guild_id: guildId,
      ...(wire.inviter ? { inviter: wire.inviter } : {}),
      max_age: maxAge,
      max_uses: maxUses,
      temporary,
      uses: 0,
      type: InviteType.Guild,
      expires_at: wire.expires_at ?? null,
    } as never);
    await ctx.audit.record({
      guildId,
      userId: actorId,
      // Invites have no snowflake: Discord's entries name them in `changes` and leave target_id null.
      targetId: null,
      actionType: AuditLogEvent.InviteCreate,
      changes: [
        { key: 'code', new_value: invite.code },
        { key: 'channel_id', new_value: channelId },
        { key: 'max_uses', new_value: maxUses },
        { key: 'max_age', new_value: maxAge },
        { key: 'temporary', new_value: temporary },
      ],
      reason,
    });
    return wire;
  }

  /** `GET /invites/{code}`: anyone may look an invite up; `withCounts` adds approximate counts. */
  async get(code: string, options: { withCounts?: boolean } = {}): Promise<APIInvite> {
    const { invite, state } = await this.#find(code);
    const wire = await this.#wire(state, invite);
    if (options.withCounts === true)
      Object.assign(wire, { approximate_member_count: state.members.size, approximate_presence_count: 0 });
    return wire;
  }

  /** `POST /invites/{code}`: joins the guild; already a member → the invite back, uses unchanged. */
  async accept(userId: string, code: string): Promise<APIInvite & { new_member?: boolean }> {
    const { ctx } = this;
    const { invite, state } = await this.#find(code);
    if (state.members.has(userId)) return { ...(await this.#wire(state, invite)), new_member: false };
    if (await ctx.repo.get('ban', invite.guild_id, userId)) throw new CommunityError('bannedFromGuild');
    let used: InviteRecord | null = null;
    await ctx.repo.update('invite', invite.guild_id, code, (now) => {
      if (!now || !this.#live(now)) return undefined;
      used = { ...now, uses: now.uses + 1 };
      return { value: used };
    });
    const counted = used as InviteRecord | null;
    if (counted === null) throw new UnknownEntityError('invite');
    await this.members.join(userId, invite.guild_id, { temporary: invite.temporary });
    if (counted.max_uses > 0 && counted.uses >= counted.max_uses) await this.#drop(state, counted);
    return { ...(await this.#wire(state, counted)), new_member: true };
  }

  /** `GET /channels/{id}/invites`. */
  async listForChannel(actorId: string, channelId: string): Promise<APIExtendedInvite[]> {
    const guildId = await this.ctx.guilds.locateChannel(channelId);
    if (!guildId) throw new UnknownEntityError('channel');
    const state = await this.ctx.guilds.require(guildId);
    requireChannelPermissions(state, actorId, channelId, P.ManageChannels);
    return this.#all(state, (i) => i.channel_id === channelId);
  }

  /** `GET /guilds/{id}/invites`. */
  async listForGuild(actorId: string, guildId: string): Promise<APIExtendedInvite[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.ManageGuild);
    return this.#all(state, () => true);
  }

  /** `DELETE /invites/{code}`. */
  async delete(actorId: string, code: string, reason?: string): Promise<APIInvite> {
    const { invite, state } = await this.#find(code);
    const inChannel = state.permissionsOf(actorId, invite.channel_id) ?? 0n;
    const inGuild = state.permissionsOf(actorId) ?? 0n;
    if ((inChannel & P.ManageChannels) === 0n && (inGuild & P.ManageGuild) === 0n)
      throw new MissingPermissionsError(P.ManageChannels);
    const wire = await this.#wire(state, invite);
    await this.#drop(state, invite);
    await this.ctx.audit.record({
      guildId: state.id,
      userId: actorId,
      targetId: null,
      actionType: AuditLogEvent.InviteDelete,
      changes: [
        { key: 'code', old_value: code },
        { key: 'channel_id', old_value: invite.channel_id },
      ],
      reason,
    });
    return wire;
  }

  async #drop(state: GuildState, invite: InviteRecord): Promise<void> {
    await this.ctx.repo.write([remove('invite', state.id, invite.code)]);
    this.ctx.gateway()?.dispatchToGuild(state.id, 'INVITE_DELETE', {
      channel_id: invite.channel_id,
      guild_id: state.id,
      code: invite.code,
    });
  }

  async #all(state: GuildState, keep: (invite: InviteRecord) => boolean): Promise<APIExtendedInvite[]> {
    const out: APIExtendedInvite[] = [];
    for (const record of await this.ctx.repo.list('invite', state.id, { limit: 1000 })) {
      if (keep(record.value) && this.#live(record.value)) out.push(await this.#wire(state, record.value));
    }
    return out;
  }

  async #find(code: string): Promise<{ invite: InviteRecord; state: GuildState }> {
    if (!/^[A-Za-z0-9-]{1,32}$/.test(code)) throw new UnknownEntityError('invite');
    const found = await this.ctx.repo.find('invite', code);
    if (!found || !this.#live(found.value)) throw new UnknownEntityError('invite');
    const state = await this.ctx.guilds.load(found.value.guild_id);
    if (!state?.channels.has(found.value.channel_id)) throw new UnknownEntityError('invite');
    return { invite: found.value, state };
  }

  #live(invite: InviteRecord): boolean {
    if (invite.max_uses > 0 && invite.uses >= invite.max_uses) return false;
    return invite.max_age === 0 || Date.parse(invite.created_at) + invite.max_age * 1000 > this.ctx.now();
  }

  async #wire(state: GuildState, invite: InviteRecord): Promise<APIExtendedInvite> {
    const channel = state.channels.get(invite.channel_id)!;
    const inviter = invite.inviter_id ? await this.ctx.users.get(invite.inviter_id) : null;
    const expires =
      invite.max_age === 0 ? null : discordTimestamp(Date.parse(invite.created_at) + invite.max_age * 1000);
    const wireChannel = serializeChannel(channel, state.id) as { id: string; type: number; name?: string };
    return {
      type: InviteType.Guild,
      code: invite.code,
      guild: GuildService.partial(state.guild),
      guild_id: state.id,
      channel: { id: wireChannel.id, type: wireChannel.type, name: wireChannel.name ?? null },
      ...(inviter ? { inviter: serializeUser(inviter) } : {}),
      expires_at: expires,
      uses: invite.uses,
      max_uses: invite.max_uses,
      max_age: invite.max_age,
      temporary: invite.temporary,
      created_at: discordTimestamp(invite.created_at),
    } as unknown as APIExtendedInvite;
  }
}
