import { type RestRequest, RouteAnswer, type RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Discord's boolean query strings: `True`, `true` and `1` are true. */
function queryFlag(req: RestRequest, name: string): boolean {
  const value = req.query.get(name);
  return value === 'true' || value === 'True' || value === '1';
}

/** The guild of a guild-command path, null for the global one. */
const guildOf = (req: RestRequest): string | null => req.params.guild_id ?? null;

/** The five command routes of one scope (`/applications/{app}/commands` or its `/guilds/{guild}` variant). */
function scopeRoutes(base: string): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: base,
      rule: 'read',
      handler: (req) =>
        req.ctx.community.commands.list(req.user.id, req.params.application_id!, guildOf(req), {
          withLocalizations: queryFlag(req, 'with_localizations'),
        }),
    },
    {
      method: 'POST',
      path: base,
      rule: 'commands',
      handler: async (req) => {
        const { command, created } = await req.ctx.community.commands.create(
          req.user.id,
          req.params.application_id!,
          guildOf(req),
          req.body,
        );
        return new RouteAnswer(created ? 201 : 200, command);
      },
    },
    {
      method: 'PUT',
      path: base,
      rule: 'commands',
      handler: (req) =>
        req.ctx.community.commands.overwrite(req.user.id, req.params.application_id!, guildOf(req), req.body),
    },
    {
      method: 'GET',
      path: `${base}/:command_id`,
      rule: 'read',
      handler: (req) =>
        req.ctx.community.commands.get(req.user.id, req.params.application_id!, guildOf(req), req.params.command_id!),
    },
    {
      method: 'PATCH',
      path: `${base}/:command_id`,
      rule: 'commands',
      handler: (req) =>
        req.ctx.community.commands.edit(
          req.user.id,
          req.params.application_id!,
          guildOf(req),
          req.params.command_id!,
          req.body,
        ),
    },
    {
      method: 'DELETE',
      path: `${base}/:command_id`,
      rule: 'commands',
      handler: async (req) => {
        await req.ctx.community.commands.delete(
          req.user.id,
          req.params.application_id!,
          guildOf(req),
          req.params.command_id!,
        );
      },
    },
  ];
}

const guildBase = '/applications/:application_id/guilds/:guild_id/commands';

/**
 * Application commands (docs/protocol.md, "Application commands"): global and guild commands of the calling bot's
 * application, their permission overwrites, and the command index the official client reads to offer commands.
 */
export const commandRoutes: RouteDefinition[] = [
  ...scopeRoutes('/applications/:application_id/commands'),
  ...scopeRoutes(guildBase),
  {
    method: 'GET',
    path: `${guildBase}/permissions`,
    rule: 'read',
    handler: (req) =>
      req.ctx.community.commands.listPermissions(req.user.id, req.params.application_id!, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: `${guildBase}/:command_id/permissions`,
    rule: 'read',
    handler: (req) =>
      req.ctx.community.commands.getPermissions(
        req.user.id,
        req.params.application_id!,
        req.params.guild_id!,
        req.params.command_id!,
      ),
  },
  {
    method: 'PUT',
    path: `${guildBase}/:command_id/permissions`,
    rule: 'commands',
    handler: (req) =>
      req.ctx.community.commands.editPermissions(
        req.user.id,
        req.params.application_id!,
        req.params.guild_id!,
        req.params.command_id!,
        req.body,
      ),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/application-command-index',
    rule: 'read',
    handler: (req) => req.ctx.community.commands.guildIndex(req.user.id, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/application-command-index',
    rule: 'read',
    handler: (req) => req.ctx.community.commands.channelIndex(req.user.id, req.params.channel_id!),
  },
];
