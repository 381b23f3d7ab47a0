import type { EntityWrite } from '@concord/storage-adapters/entities';
import {
  type APIApplicationCommandPermission,
  AuditLogEvent,
  PermissionFlagsBits as P,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { type CommandPermissionsRecord, type CommandRecord, commandPartition } from '../model/interactionRecords.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove } from '../store/CommunityRepository.js';
import type { EntityKind } from '../store/EntityKinds.js';
import { applicationCommandLimits as limits } from '../validation/applicationCommandLimits.js';
import { applicationCommandMessages } from '../validation/applicationCommandMessages.js';
import { isJsonObject } from '../validation/checkObject.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import {
  validateApplicationCommand,
  validateApplicationCommandList,
} from '../validation/validateApplicationCommand.js';
import { requireGuildPermissions } from './access.js';
import { CommandIndex, type CommandIndexAnswer, type InvocationPlace } from './commandIndex.js';
import { DEFAULT_COMMAND_LOCALE, localizedCommand } from './commandLocalization.js';
import { readCommandOverwrites } from './commandPermissions.js';
import { buildCommandRecord, commandBody, patchableKeys, sameCommand } from './commandRecord.js';

export type { CommandIndexAnswer, InvocationPlace } from './commandIndex.js';

/** How `GET …/commands` answers: full localization dictionaries, or the requester's locale only (the default). */
export interface CommandListOptions {
  withLocalizations?: boolean;
  /** The requester's locale for `name_localized` / `description_localized` (default en-US). */
  locale?: string;
}

/** A POST's answer: Discord's 201 for a new command, 200 when one of that name and type was replaced. */
export interface UpsertedCommand {
  command: CommandRecord;
  created: boolean;
}

const maxPerType: Readonly<Record<number, number>> = {
  1: limits.chatInputCommands,
  2: limits.userCommands,
  3: limits.messageCommands,
};

/**
 * Application commands, global (partition the application id) and per guild (`<application>:<guild>`), and their
 * permission overwrites in guilds (docs/protocol.md, "Application commands"). An application is its bot user: only
 * that bot changes its commands (20012 for another caller, 10002 when the id is no bot); guild commands need the bot
 * in the guild (50001). Names are unique per type and scope, at most 100 CHAT_INPUT, 15 USER and 15 MESSAGE commands
 * per scope (30032). `version` is a new snowflake whenever a command's content changes. Writes of one scope are
 * serialised on this node so an upsert or bulk overwrite sees the scope as the previous write left it.
 */
export class ApplicationCommandService {
  readonly #index: CommandIndex;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: CommunityContext) {
    this.#index = new CommandIndex(ctx);
  }

  /** `GET /applications/{app}[/guilds/{guild}]/commands`. */
  async list(
    actorId: string,
    applicationId: string,
    guildId: string | null,
    options: CommandListOptions = {},
  ): Promise<CommandRecord[]> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    const commands = await this.ctx.repo.all('command', partition);
    if (options.withLocalizations === true) return commands;
    const locale = options.locale ?? DEFAULT_COMMAND_LOCALE;
    return commands.map((command) => localizedCommand(command, locale));
  }

  /** `GET /applications/{app}[/guilds/{guild}]/commands/{command}`. */
  async get(actorId: string, applicationId: string, guildId: string | null, commandId: string): Promise<CommandRecord> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    const command = await this.ctx.repo.get('command', partition, commandId);
    if (!command) throw new UnknownEntityError('command');
    return command;
  }

  /** `POST /applications/{app}[/guilds/{guild}]/commands`: creates, or replaces the command of that name and type. */
  async create(
    actorId: string,
    applicationId: string,
    guildId: string | null,
    body: unknown,
  ): Promise<UpsertedCommand> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    const checked = validateApplicationCommand(body);
    return this.#serial(partition, async () => {
      const existing = await this.ctx.repo.all('command', partition);
      const type = checked.type ?? 1;
      const same = existing.find((c) => c.type === type && c.name === checked.name);
      if (same) {
        const next = this.#record(checked, applicationId, guildId, same);
        if (!sameCommand(same, next)) await this.ctx.repo.write([put('command', partition, next.id, next)]);
        return { command: next, created: false };
      }
      if (existing.filter((c) => c.type === type).length >= (maxPerType[type] ?? 0))
        throw new CommunityError('maxCommands');
      const command = this.#record(checked, applicationId, guildId, null);
      await this.ctx.repo.write([put('command', partition, command.id, command)]);
      return { command, created: true };
    });
  }

  /**
   * `PATCH /applications/{app}[/guilds/{guild}]/commands/{command}`: the fields given replace the stored ones (`type`
   * stays), and the result is checked as a whole. A renamed command loses its permission overwrites, as on Discord.
   */
  async edit(
    actorId: string,
    applicationId: string,
    guildId: string | null,
    commandId: string,
    body: unknown,
  ): Promise<CommandRecord> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    return this.#serial(partition, async () => {
      const { repo } = this.ctx;
      const current = await repo.get('command', partition, commandId);
      if (!current) throw new UnknownEntityError('command');
      if (!isJsonObject(body)) {
        const errors = new FormErrors();
        const error = formErrorMessages.notObject();
        errors.add([], error.code, error.message);
        throw new InvalidFormBodyError(errors.toJSON());
      }
      const merged = commandBody(current);
      for (const key of patchableKeys) if (body[key] !== undefined) merged[key] = body[key];
      const checked = validateApplicationCommand(merged);
      const existing = await repo.all('command', partition);
      if (existing.some((c) => c.id !== commandId && c.type === current.type && c.name === checked.name)) {
        const errors = new FormErrors();
        const error = applicationCommandMessages.duplicateCommandName();
        errors.add(['name'], error.code, error.message);
        throw new InvalidFormBodyError(errors.toJSON());
      }
      const next = this.#record(checked, applicationId, guildId, current);
      if (sameCommand(current, next)) return current;
      const drop = next.name !== current.name ? await this.#permissionWrites(applicationId, guildId, [commandId]) : [];
      await repo.write([put('command', partition, commandId, next), ...drop]);
      return next;
    });
  }

  /** `DELETE /applications/{app}[/guilds/{guild}]/commands/{command}` (its permission overwrites go with it). */
  async delete(actorId: string, applicationId: string, guildId: string | null, commandId: string): Promise<void> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    await this.#serial(partition, async () => {
      const { repo } = this.ctx;
      if (!(await repo.get('command', partition, commandId))) throw new UnknownEntityError('command');
      const drop = await this.#permissionWrites(applicationId, guildId, [commandId]);
      await repo.write([remove('command', partition, commandId), ...drop]);
    });
  }

  /**
   * `PUT /applications/{app}[/guilds/{guild}]/commands`: the scope's commands become the list, in one atomic write.
   * An item keeps the id of the command it names by `id` (one of the scope's, of the same type) or else by name and
   * type; others get new ids; commands left out are deleted with their permission overwrites. Unchanged commands keep
   * their `version`.
   */
  async overwrite(
    actorId: string,
    applicationId: string,
    guildId: string | null,
    body: unknown,
  ): Promise<CommandRecord[]> {
    const partition = await this.#scope(actorId, applicationId, guildId);
    const checked = validateApplicationCommandList(body);
    const ids = (Array.isArray(body) ? body : []).map((item) =>
      isJsonObject(item) && typeof item.id === 'string' ? item.id : undefined,
    );
    return this.#serial(partition, async () => {
      const { repo } = this.ctx;
      const existing = await repo.all('command', partition);
      const taken = new Set<string>();
      const result: CommandRecord[] = [];
      const writes: EntityWrite[] = [];
      const renamed: string[] = [];
      checked.forEach((command, index) => {
        const type = command.type ?? 1;
        const free = (c: CommandRecord) => !taken.has(c.id) && c.type === type;
        const byId = existing.find((c) => c.id === ids[index] && free(c));
        const previous = byId ?? existing.find((c) => c.name === command.name && free(c)) ?? null;
        const next = this.#record(command, applicationId, guildId, previous);
        if (previous) {
          taken.add(previous.id);
          if (previous.name !== next.name) renamed.push(previous.id);
        }
        if (!previous || !sameCommand(previous, next)) writes.push(put('command', partition, next.id, next));
        result.push(next);
      });
      const gone = existing.filter((c) => !taken.has(c.id)).map((c) => c.id);
      for (const id of gone) writes.push(remove('command', partition, id));
      writes.push(...(await this.#permissionWrites(applicationId, guildId, [...gone, ...renamed])));
      if (writes.length > 0) await repo.write(writes);
      return result;
    });
  }

  /** `GET /applications/{app}/guilds/{guild}/commands/permissions`: every overwrite list of the application there. */
  async listPermissions(actorId: string, applicationId: string, guildId: string): Promise<CommandPermissionsRecord[]> {
    await this.#permissionReader(actorId, applicationId, guildId);
    return this.ctx.repo.all('command-permissions', commandPartition(applicationId, guildId));
  }

  /**
   * `GET /applications/{app}/guilds/{guild}/commands/{command}/permissions` (the application's id as the command:
   * its application-wide overwrites). 10066 when none are set, as Discord answers.
   */
  async getPermissions(
    actorId: string,
    applicationId: string,
    guildId: string,
    commandId: string,
  ): Promise<CommandPermissionsRecord> {
    await this.#permissionReader(actorId, applicationId, guildId);
    await this.#requirePermissionTarget(applicationId, guildId, commandId);
    const found = await this.ctx.repo.get('command-permissions', commandPartition(applicationId, guildId), commandId);
    if (!found) throw new UnknownEntityError('commandPermissions');
    return found;
  }

  /**
   * `PUT /applications/{app}/guilds/{guild}/commands/{command}/permissions`: replaces the overwrites (an empty list
   * removes them). Discord takes this from a user's Bearer token only: a bot is 20001; the user needs MANAGE_GUILD
   * and MANAGE_ROLES in the guild. Dispatches APPLICATION_COMMAND_PERMISSIONS_UPDATE to the application's bot and to
   * the members who manage the guild, and records an APPLICATION_COMMAND_PERMISSION_UPDATE audit log entry.
   */
  async editPermissions(
    actorId: string,
    applicationId: string,
    guildId: string,
    commandId: string,
    body: unknown,
  ): Promise<CommandPermissionsRecord> {
    const { ctx } = this;
    const actor = await ctx.users.get(actorId);
    if (actor?.bot === true) throw new CommunityError('notABot');
    await this.#requireApplicationExists(applicationId);
    const state = await ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.ManageGuild | P.ManageRoles);
    if (!state.members.has(applicationId)) throw new MissingAccessError();
    await this.#requirePermissionTarget(applicationId, guildId, commandId);
    const permissions = readCommandOverwrites(body, state);
    const partition = commandPartition(applicationId, guildId);
    const record: CommandPermissionsRecord = {
      id: commandId,
      application_id: applicationId,
      guild_id: guildId,
      permissions,
    };
    const old = await ctx.repo.get('command-permissions', partition, commandId);
    await ctx.repo.write([
      permissions.length > 0
        ? put('command-permissions', partition, commandId, record, commandId)
        : remove('command-permissions', partition, commandId),
    ]);
    // Other applications' bots are not told another application's configuration.
    const managers = [...state.members.values()]
      .filter((m) => m.data.user.bot !== true && ((state.permissionsOf(m.record.user_id) ?? 0n) & P.ManageGuild) !== 0n)
      .map((m) => m.record.user_id);
    ctx.gateway()?.dispatchToUsers([applicationId, ...managers], 'APPLICATION_COMMAND_PERMISSIONS_UPDATE', record, {
      guildId,
    });
    await ctx.audit.record({
      guildId,
      userId: actorId,
      targetId: commandId,
      actionType: AuditLogEvent.ApplicationCommandPermissionUpdate,
      changes: overwriteChanges(old?.permissions ?? [], permissions),
      options: { application_id: applicationId },
    });
    return record;
  }

  /** `GET /guilds/{guild}/application-command-index` (Discord's client route). */
  guildIndex(userId: string, guildId: string): Promise<CommandIndexAnswer> {
    return this.#index.guild(userId, guildId);
  }

  /** `GET /channels/{channel}/application-command-index` (Discord's client route: DMs; guild channels too). */
  channelIndex(userId: string, channelId: string): Promise<CommandIndexAnswer> {
    return this.#index.channel(userId, channelId);
  }

  /**
   * The command `userId` invokes at `place` (INTERACTION_CREATE's `data.id`): a global command or one of the
   * place's guild, visible to the user there. UnknownEntityError('command') otherwise; InvalidFormBodyError (50035,
   * INTERACTION_APPLICATION_COMMAND_INVALID_PERMISSIONS at `data`) when it exists there but the user may not use it.
   */
  resolveForInvoke(
    userId: string,
    applicationId: string,
    commandId: string,
    place: InvocationPlace,
  ): Promise<CommandRecord> {
    return this.#index.resolve(userId, applicationId, commandId, place);
  }

  #record(
    body: RESTPostAPIApplicationCommandsJSONBody,
    applicationId: string,
    guildId: string | null,
    previous: CommandRecord | null,
  ): CommandRecord {
    const id = previous?.id ?? this.ctx.nextId();
    const same = previous ? buildCommandRecord(body, { id, applicationId, guildId, version: previous.version }) : null;
    if (same && previous && sameCommand(previous, same)) return same;
    return buildCommandRecord(body, { id, applicationId, guildId, version: this.ctx.nextId() });
  }

  /** The partition of the scope, after checking the actor is the application and (guild scope) the bot is there. */
  async #scope(actorId: string, applicationId: string, guildId: string | null): Promise<string> {
    if (actorId !== applicationId) {
      await this.#requireApplicationExists(applicationId);
      throw new CommunityError('notApplicationOwner');
    }
    await this.#requireApplicationExists(applicationId);
    if (guildId !== null) await this.#installed(applicationId, guildId);
    return commandPartition(applicationId, guildId);
  }

  async #requireApplicationExists(applicationId: string): Promise<void> {
    const bot = await this.ctx.users.get(applicationId);
    if (bot?.bot !== true) throw new UnknownEntityError('application');
  }

  /** The guild's state when the application's bot is a member of it; 50001 otherwise (also for an unknown guild). */
  async #installed(applicationId: string, guildId: string): Promise<GuildState> {
    const state = await this.ctx.guilds.load(guildId);
    if (!state?.members.has(applicationId)) throw new MissingAccessError();
    return state;
  }

  /**
   * Reading overwrites: the application's bot (installed in the guild), or a member who manages the guild (the
   * client's Integrations settings). Another bot is 20012.
   */
  async #permissionReader(actorId: string, applicationId: string, guildId: string): Promise<void> {
    if (actorId === applicationId) {
      await this.#scope(actorId, applicationId, guildId);
      return;
    }
    const actor = await this.ctx.users.get(actorId);
    await this.#requireApplicationExists(applicationId);
    if (actor?.bot === true) throw new CommunityError('notApplicationOwner');
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.ManageGuild);
    if (!state.members.has(applicationId)) throw new MissingAccessError();
  }

  /** What overwrites may be set on: the application itself (application-wide) or one of its commands usable there. */
  async #requirePermissionTarget(applicationId: string, guildId: string, commandId: string): Promise<void> {
    if (commandId === applicationId) return;
    const { repo } = this.ctx;
    const command =
      (await repo.get('command', commandPartition(applicationId, guildId), commandId)) ??
      (await repo.get('command', applicationId, commandId));
    if (!command) throw new UnknownEntityError('command');
  }

  /** Deletes of the permission overwrites of commands that go (in their guild, or in every guild for global ones). */
  async #permissionWrites(
    applicationId: string,
    guildId: string | null,
    commandIds: readonly string[],
  ): Promise<EntityWrite[]> {
    const kind: EntityKind = 'command-permissions';
    if (guildId !== null) return commandIds.map((id) => remove(kind, commandPartition(applicationId, guildId), id));
    const writes: EntityWrite[] = [];
    for (const id of commandIds)
      for (const found of await this.ctx.repo.allByRef(kind, id)) writes.push(remove(kind, found.partition, id));
    return writes;
  }

  /** Runs `task` after every earlier task of the same scope (this node only). */
  async #serial<T>(partition: string, task: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(partition) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.catch(() => undefined);
    this.#queues.set(partition, settled);
    try {
      return await run;
    } finally {
      if (this.#queues.get(partition) === settled) this.#queues.delete(partition);
    }
  }
}

/** The audit log's changes of an overwrite list: one per overwrite id, old and new values as Discord records them. */
function overwriteChanges(
  before: readonly APIApplicationCommandPermission[],
  after: readonly APIApplicationCommandPermission[],
): { key: string; old_value?: unknown; new_value?: unknown }[] {
  const changes: { key: string; old_value?: unknown; new_value?: unknown }[] = [];
  const old = new Map(before.map((o) => [o.id, o]));
  const next = new Map(after.map((o) => [o.id, o]));
  for (const [id, value] of next) {
    const was = old.get(id);
    if (!was) changes.push({ key: id, new_value: value });
    else if (was.permission !== value.permission || was.type !== value.type)
      changes.push({ key: id, old_value: was, new_value: value });
  }
  for (const [id, was] of old) if (!next.has(id)) changes.push({ key: id, old_value: was });
  return changes;
}
