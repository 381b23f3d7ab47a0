import { serializeUser } from '@concord/gateway-server/serialize';
import {
  type APIApplicationCommandPermission,
  type APIUser,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits as P,
} from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { type CommandRecord, commandPartition } from '../model/interactionRecords.js';
import { type ChannelRecord, DM_PARTITION, type UserRecord } from '../model/records.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import { isThread } from '../state/channelKinds.js';
import type { GuildState } from '../state/GuildState.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireMember } from './access.js';
import { type CommandViewer, mayUseCommand } from './commandPermissions.js';
import { resolveChannel } from './resolveChannel.js';

/** An application as the command index lists it (Discord's client route `application-command-index`). */
export interface IndexApplication {
  id: string;
  name: string;
  icon: string | null;
  description: string;
  bot_id: string;
  flags: number;
  bot: APIUser;
}

/** `GET /guilds/{guild}/application-command-index`, `GET /channels/{channel}/application-command-index`. */
export interface CommandIndexAnswer {
  applications: IndexApplication[];
  application_commands: CommandRecord[];
  /** The newest `version` among the commands listed ("0" for none): changes whenever one of them does. */
  version: string;
}

/** Where an invocation happens, as the interaction layer resolved it. */
export interface InvocationPlace {
  guildId: string | null;
  channelId: string;
  /** The invoking user's permissions in the channel (DM permissions in a DM). */
  permissions: bigint;
}

/** Discord's refusal of a command the user may not use there (observed: 50035 at `data`). */
function commandForbidden(): InvalidFormBodyError {
  const errors = new FormErrors();
  errors.add(
    ['data'],
    'INTERACTION_APPLICATION_COMMAND_INVALID_PERMISSIONS',
    'You do not have permission to use this command',
  );
  return new InvalidFormBodyError(errors.toJSON());
}

/** A global command offered in a guild: its `contexts` (when set) include GUILD, its installation GUILD_INSTALL. */
function availableInGuild(command: CommandRecord): boolean {
  if (command.guild_id !== undefined) return true;
  const types = command.integration_types;
  if (types !== undefined && !types.includes(ApplicationIntegrationType.GuildInstall)) return false;
  return command.contexts == null || command.contexts.includes(InteractionContextType.Guild);
}

/** A global command offered in a DM with the application's bot: BOT_DM in `contexts` (when unset, `dm_permission`). */
function availableInBotDm(command: CommandRecord): boolean {
  if (command.guild_id !== undefined || command.nsfw === true) return false;
  const types = command.integration_types;
  if (types !== undefined && !types.includes(ApplicationIntegrationType.GuildInstall)) return false;
  if (command.contexts == null) return command.dm_permission !== false;
  return command.contexts.includes(InteractionContextType.BotDM);
}

/** The channel whose command overwrites and age restriction apply: a thread's parent, else the channel itself. */
function permissionChannel(state: GuildState, channel: ChannelRecord): ChannelRecord {
  const parent = isThread(channel.type) && channel.parent_id ? state.channels.get(channel.parent_id as string) : null;
  return parent ?? channel;
}

/**
 * Which commands a user may use where: the command index of the official client and the check of an invocation
 * (docs/protocol.md, "Application commands", "Who may use a command"). An application is installed in a guild when
 * its bot is a member. In a guild: its global commands available there and the guild's own, to members with
 * USE_APPLICATION_COMMANDS, after the permission overwrites and `default_member_permissions` (commandPermissions.ts);
 * an age-restricted (`nsfw`) command only in an age-restricted channel. In a DM with a bot sharing a guild with the
 * user: the bot's global commands allowed in BOT_DM (never age-restricted ones: Concord has no age opt-in). Other DMs
 * and group DMs offer nothing (that needs user-installed applications, which Concord does not have).
 */
export class CommandIndex {
  constructor(private readonly ctx: CommunityContext) {}

  /** The guild-wide index: the channel step of the overwrites is left to the channel index. */
  async guild(userId: string, guildId: string): Promise<CommandIndexAnswer> {
    const state = await this.ctx.guilds.require(guildId);
    requireMember(state, userId);
    return this.#inGuild(state, userId, null);
  }

  /** The index of one channel: a guild channel (every step applied) or a DM. */
  async channel(userId: string, channelId: string): Promise<CommandIndexAnswer> {
    const resolved = await resolveChannel(this.ctx, userId, channelId);
    if (resolved.state !== null) return this.#inGuild(resolved.state, userId, resolved.channel);
    const bot = await this.#dmBot(userId, resolved.channel);
    if (bot === null) return { applications: [], application_commands: [], version: '0' };
    const commands = (await this.ctx.repo.all('command', bot.id)).filter(availableInBotDm);
    return answer(commands.length > 0 ? [[bot, commands]] : []);
  }

  /**
   * The command `userId` invokes at `place`: UnknownEntityError('command') (10063) when the application has no such
   * command there (not installed, another guild's, not offered in this context); 50035
   * INTERACTION_APPLICATION_COMMAND_INVALID_PERMISSIONS when it exists but the user may not use it there.
   */
  async resolve(userId: string, applicationId: string, commandId: string, place: InvocationPlace) {
    const { repo } = this.ctx;
    if (place.guildId === null) {
      const command = await repo.get('command', applicationId, commandId);
      const channel = await repo.get('channel', DM_PARTITION, place.channelId);
      if (!command || !channel) throw new UnknownEntityError('command');
      const bot = await this.#dmBot(userId, channel);
      if (bot?.id !== applicationId || !availableInBotDm(command)) throw new UnknownEntityError('command');
      return command;
    }
    const state = await this.ctx.guilds.require(place.guildId);
    const member = requireMember(state, userId);
    if (!state.members.has(applicationId)) throw new UnknownEntityError('command');
    const command =
      (await repo.get('command', commandPartition(applicationId, state.id), commandId)) ??
      (await repo.get('command', applicationId, commandId));
    if (!command || !availableInGuild(command)) throw new UnknownEntityError('command');
    const channel = state.channels.get(place.channelId);
    if (!channel) throw new UnknownEntityError('channel');
    const overwrites = await repo.getMany('command-permissions', commandPartition(applicationId, state.id), [
      command.id,
      applicationId,
    ]);
    const of = (id: string) => overwrites.find((r) => r.id === id)?.value.permissions ?? [];
    const viewer: CommandViewer = {
      guildId: state.id,
      userId,
      roleIds: member.record.roles,
      channelId: permissionChannel(state, channel).id,
      permissions: place.permissions,
    };
    if (!usable(command, viewer, permissionChannel(state, channel), of(command.id), of(applicationId)))
      throw commandForbidden();
    return command;
  }

  async #inGuild(state: GuildState, userId: string, channel: ChannelRecord | null): Promise<CommandIndexAnswer> {
    const { repo } = this.ctx;
    const member = requireMember(state, userId);
    const where = channel === null ? null : permissionChannel(state, channel);
    const permissions =
      (channel === null ? state.permissionsOf(userId) : state.permissionsOf(userId, channel.id)) ?? 0n;
    const viewer: CommandViewer = {
      guildId: state.id,
      userId,
      roleIds: member.record.roles,
      channelId: where?.id ?? null,
      permissions,
    };
    const bots: UserRecord[] = [];
    for (const entry of state.members.values()) {
      if (entry.data.user.bot !== true) continue;
      const bot = await this.ctx.users.get(entry.record.user_id);
      if (bot) bots.push(bot);
    }
    const found: [UserRecord, CommandRecord[]][] = [];
    for (const bot of bots) {
      const partition = commandPartition(bot.id, state.id);
      const [global, own, overwrites] = await Promise.all([
        repo.all('command', bot.id),
        repo.all('command', partition),
        repo.all('command-permissions', partition),
      ]);
      const of = (id: string) => overwrites.find((r) => r.id === id)?.permissions ?? [];
      const commands = [...global.filter(availableInGuild), ...own].filter((command) =>
        usable(command, viewer, where, of(command.id), of(bot.id)),
      );
      if (commands.length > 0) found.push([bot, commands]);
    }
    return answer(found);
  }

  /** The bot of a 1:1 DM of `userId`, when it shares a guild with them (Discord offers DM commands only then). */
  async #dmBot(userId: string, channel: ChannelRecord): Promise<UserRecord | null> {
    if (channel.type !== ChannelType.DM) return null;
    const recipients = channel.recipient_ids ?? [];
    if (!recipients.includes(userId)) throw new MissingAccessError();
    const otherId = recipients.find((id) => id !== userId);
    const other = otherId === undefined ? null : await this.ctx.users.get(otherId);
    if (other?.bot !== true) return null;
    const memberships = await this.ctx.repo.allByRef('member', userId);
    for (const membership of memberships)
      if (await this.ctx.repo.get('member', membership.partition, other.id)) return other;
    return null;
  }
}

/**
 * Whether a member may use an offered command: USE_APPLICATION_COMMANDS (administrators aside), the age restriction
 * when the channel is known (the guild-wide index leaves both to the channel), then the overwrites and defaults.
 */
function usable(
  command: CommandRecord,
  viewer: CommandViewer,
  channel: ChannelRecord | null,
  commandOverwrites: readonly APIApplicationCommandPermission[],
  applicationOverwrites: readonly APIApplicationCommandPermission[],
): boolean {
  const admin = (viewer.permissions & P.Administrator) !== 0n;
  if (!admin && (viewer.permissions & P.UseApplicationCommands) === 0n) return false;
  if (channel !== null && command.nsfw === true && channel.nsfw !== true) return false;
  return mayUseCommand(command.default_member_permissions, viewer, commandOverwrites, applicationOverwrites);
}

function answer(found: readonly [UserRecord, CommandRecord[]][]): CommandIndexAnswer {
  let version = 0n;
  const applications: IndexApplication[] = [];
  const application_commands: CommandRecord[] = [];
  for (const [bot, commands] of found) {
    applications.push({
      id: bot.id,
      name: bot.username,
      // Application icons live under their own CDN path, which Concord does not serve: the bot's avatar is in `bot`.
      icon: null,
      description: '',
      bot_id: bot.id,
      flags: 0,
      bot: serializeUser(bot),
    });
    for (const command of commands) {
      application_commands.push(command);
      const v = BigInt(command.version);
      if (v > version) version = v;
    }
  }
  return { applications, application_commands, version: version.toString() };
}
