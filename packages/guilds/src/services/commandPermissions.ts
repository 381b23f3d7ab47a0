import {
  type APIApplicationCommandPermission,
  ApplicationCommandPermissionType as OverwriteType,
  PermissionFlagsBits as P,
} from 'discord-api-types/v10';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { isThread } from '../state/channelKinds.js';
import type { GuildState } from '../state/GuildState.js';
import { checkArray } from '../validation/checkArray.js';
import { checkBoolean } from '../validation/checkBoolean.js';
import { isJsonObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';

/** Most permission overwrites of one command (or of the application) in one guild. */
export const MAX_COMMAND_OVERWRITES = 100;

const overwriteTypes = [OverwriteType.Role, OverwriteType.User, OverwriteType.Channel] as const;

/** The "All Channels" constant of command permissions: the guild's id minus one. */
export function allChannelsId(guildId: string): string {
  return (BigInt(guildId) - 1n).toString();
}

/**
 * The body of `PUT /applications/{app}/guilds/{guild}/commands/{command}/permissions`: `{ permissions }` with at most
 * 100 overwrites `{ id, type, permission }`. Form errors (50035) for the shape; a role that is neither one of the
 * guild's nor @everyone (the guild's id) is 10011, a channel that is neither one of the guild's (threads excluded:
 * their parent's overwrites apply to them) nor "All Channels" (guild id − 1) 10003. A repeated id and type keeps the
 * last one. Returns the overwrites to store.
 */
export function readCommandOverwrites(body: unknown, state: GuildState): APIApplicationCommandPermission[] {
  const errors = new FormErrors();
  const source = isJsonObject(body) ? body : undefined;
  if (source === undefined) {
    const error = formErrorMessages.notObject();
    errors.add([], error.code, error.message);
    throw new InvalidFormBodyError(errors.toJSON());
  }
  if (source.permissions === undefined) {
    const error = formErrorMessages.required();
    errors.add(['permissions'], error.code, error.message);
  }
  const items = checkArray(source.permissions, errors, ['permissions'], MAX_COMMAND_OVERWRITES) ?? [];
  const read: APIApplicationCommandPermission[] = [];
  items.forEach((item, index) => {
    const path = ['permissions', index];
    if (!isJsonObject(item)) {
      const error = formErrorMessages.notObject();
      errors.add(path, error.code, error.message);
      return;
    }
    const before = errors.count;
    const id =
      item.id === undefined ? required(errors, [...path, 'id']) : checkSnowflake(item.id, errors, [...path, 'id']);
    let type: OverwriteType | undefined;
    if (typeof item.type === 'number' && (overwriteTypes as readonly number[]).includes(item.type))
      type = item.type as OverwriteType;
    else if (item.type === undefined || item.type === null) required(errors, [...path, 'type']);
    else {
      const error = formErrorMessages.choices(overwriteTypes);
      errors.add([...path, 'type'], error.code, error.message);
    }
    const permission =
      item.permission === undefined || item.permission === null
        ? required(errors, [...path, 'permission'])
        : checkBoolean(item.permission, errors, [...path, 'permission']);
    if (errors.count === before && id !== undefined && type !== undefined && permission !== undefined)
      read.push({ id, type, permission });
  });
  if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
  const everyone = state.id;
  const allChannels = allChannelsId(state.id);
  const byKey = new Map<string, APIApplicationCommandPermission>();
  for (const overwrite of read) {
    if (overwrite.type === OverwriteType.Role && overwrite.id !== everyone && !state.roles.has(overwrite.id))
      throw new UnknownEntityError('role');
    if (overwrite.type === OverwriteType.Channel && overwrite.id !== allChannels) {
      const channel = state.channels.get(overwrite.id);
      if (!channel || isThread(channel.type)) throw new UnknownEntityError('channel');
    }
    const key = `${overwrite.type}:${overwrite.id}`;
    byKey.delete(key);
    byKey.set(key, overwrite);
  }
  return [...byKey.values()];
}

function required(errors: FormErrors, path: (string | number)[]): undefined {
  const error = formErrorMessages.required();
  errors.add(path, error.code, error.message);
  return undefined;
}

/** Who wants to use a command in a guild, and where. */
export interface CommandViewer {
  guildId: string;
  userId: string;
  /** The member's roles (@everyone not included). */
  roleIds: readonly string[];
  /**
   * The channel whose command overwrites apply (a thread's parent: channel overwrites of commands apply to the
   * threads in it), or null to leave the channel step out (the guild-wide index).
   */
  channelId: string | null;
  /** The member's permissions there (in the channel, or guild-wide). */
  permissions: bigint;
}

/**
 * Whether a member may use a command, by Discord's documented precedence (docs/protocol.md, "Application commands",
 * "Who may use a command"; Discord's "Commands Permission System" flowchart):
 * administrators always may; then the channel step (the command's overwrite for the channel, else its "All Channels"
 * one, else the same two at the application level: a `false` refuses); then users and roles at the command level
 * (the user's overwrite, else the member's roles — allowed when at least one of them is — else @everyone: this answer
 * is final, `default_member_permissions` included); then the same at the application level (where `false` refuses
 * but `true` still leaves `default_member_permissions` to pass); last `default_member_permissions` (null: everyone,
 * `"0"`: administrators only, else the member must hold every bit in the channel).
 */
export function mayUseCommand(
  defaultMemberPermissions: string | null,
  viewer: CommandViewer,
  commandOverwrites: readonly APIApplicationCommandPermission[],
  applicationOverwrites: readonly APIApplicationCommandPermission[],
): boolean {
  if ((viewer.permissions & P.Administrator) !== 0n) return true;
  if (viewer.channelId !== null) {
    const channel =
      channelDecision(commandOverwrites, viewer.channelId, viewer.guildId) ??
      channelDecision(applicationOverwrites, viewer.channelId, viewer.guildId);
    if (channel === false) return false;
  }
  const atCommand = memberDecision(commandOverwrites, viewer);
  if (atCommand !== undefined) return atCommand;
  if (memberDecision(applicationOverwrites, viewer) === false) return false;
  if (defaultMemberPermissions === null) return true;
  const required = BigInt(defaultMemberPermissions);
  if (required === 0n) return false;
  return (viewer.permissions & required) === required;
}

function channelDecision(
  overwrites: readonly APIApplicationCommandPermission[],
  channelId: string,
  guildId: string,
): boolean | undefined {
  const allChannels = allChannelsId(guildId);
  let all: boolean | undefined;
  for (const o of overwrites) {
    if (o.type !== OverwriteType.Channel) continue;
    if (o.id === channelId) return o.permission;
    if (o.id === allChannels) all = o.permission;
  }
  return all;
}

function memberDecision(overwrites: readonly APIApplicationCommandPermission[], viewer: CommandViewer) {
  let roleFound = false;
  let roleAllowed = false;
  let everyone: boolean | undefined;
  for (const o of overwrites) {
    if (o.type === OverwriteType.User && o.id === viewer.userId) return o.permission;
    if (o.type !== OverwriteType.Role) continue;
    if (o.id === viewer.guildId) everyone = o.permission;
    else if (viewer.roleIds.includes(o.id)) {
      roleFound = true;
      roleAllowed ||= o.permission;
    }
  }
  return roleFound ? roleAllowed : everyone;
}
