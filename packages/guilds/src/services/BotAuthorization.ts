import { allPermissions } from '@concord/protocol/permissions';
import type { APIGuildMember } from 'discord-api-types/v10';
import { AuditLogEvent, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import { requireGuildPermissions } from './access.js';
import type { MemberService } from './MemberService.js';
import type { RoleService } from './RoleService.js';

/**
 * Adding a bot to a guild, as Discord's authorization screen does it (`POST /oauth2/authorize?client_id=…&scope=bot`
 * with `{ guild_id, permissions, authorize: true }`): the authorizing user needs MANAGE_GUILD there and may only grant
 * permissions they hold; the bot joins, and with permissions asked for it gets a managed role of its own carrying them.
 */
export class BotAuthorization {
  constructor(
    private readonly ctx: CommunityContext,
    private readonly members: MemberService,
    private readonly roles: RoleService,
  ) {}

  async authorize(
    actorId: string,
    guildId: string,
    botId: string,
    permissions: bigint,
    reason?: string,
  ): Promise<APIGuildMember> {
    const { ctx } = this;
    const state = await ctx.guilds.require(guildId);
    const granted = requireGuildPermissions(state, actorId, P.ManageGuild);
    const asked = permissions & allPermissions;
    if (granted !== allPermissions && (asked & ~granted) !== 0n) throw new MissingPermissionsError(asked & ~granted);
    const bot = await ctx.users.get(botId);
    if (bot?.bot !== true) throw new UnknownEntityError('application');
    if (state.members.has(botId)) return this.members.get(actorId, guildId, botId);
    const role = asked !== 0n ? await this.roles.createManaged(guildId, bot.username, asked, botId) : null;
    const member = await this.members.join(botId, guildId, role ? { roles: [role.id] } : {});
    await ctx.audit.record({ guildId, userId: actorId, targetId: botId, actionType: AuditLogEvent.BotAdd, reason });
    return member;
  }
}
