import {
  ApplicationCommandType as CommandType,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { applicationCommandLimits as limits } from './applicationCommandLimits.js';
import { applicationCommandMessages as messages } from './applicationCommandMessages.js';
import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import { checkCommandOptions } from './checkCommandOptions.js';
import { isJsonObject } from './checkObject.js';
import { type CommandSize, checkLocalizedText } from './commandText.js';
import { type FormError, type FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { InvalidFormBodyError } from './ValidationError.js';

/** Command types taken: CHAT_INPUT, USER, MESSAGE. PRIMARY_ENTRY_POINT (4) is refused (no Activities here). */
const commandTypes = [CommandType.ChatInput, CommandType.User, CommandType.Message] as const;
const maxPerType: Readonly<Record<number, number>> = {
  [CommandType.ChatInput]: limits.chatInputCommands,
  [CommandType.User]: limits.userCommands,
  [CommandType.Message]: limits.messageCommands,
};
const maxCommands = limits.chatInputCommands + limits.userCommands + limits.messageCommands;
const contexts = [0, 1, 2] as const;
const integrationTypes = [0, 1] as const;
/** A permission bit-set as Discord writes it: a decimal string of an unsigned 64-bit integer. */
const decimal = /^\d{1,20}$/;

function add(errors: FormErrors, path: FormErrorPath, error: FormError): undefined {
  errors.add(path, error.code, error.message);
  return undefined;
}

/**
 * Checks an application command body (a value from a JSON body: `POST /applications/{id}/commands`, its guild
 * variant, or one item of a bulk overwrite) as Discord does (docs/protocol.md, "Form validation", "Application
 * commands"): `type`, `name`, `description` and their localizations, `options` with their nesting and per-type rules,
 * `default_member_permissions`, `dm_permission`, `nsfw`, `contexts`, `integration_types`, and the 8000-character
 * total. Every error is added to `errors` under `path` and thrown at once as `InvalidFormBodyError` (50035), with
 * anything already in `errors`. Returns the command rebuilt from the fields Discord keeps, `type` defaulted to
 * CHAT_INPUT. The work is bounded by the limits (25 options of 25 options of 25 options), not by the input's size.
 */
export function validateApplicationCommand(
  body: unknown,
  errors: FormErrors = new FormErrors(),
  path: FormErrorPath = [],
): RESTPostAPIApplicationCommandsJSONBody {
  const command = checkApplicationCommand(body, errors, path);
  if (command === undefined || !errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
  return command;
}

/**
 * Checks the body of a bulk overwrite (`PUT /applications/{id}/commands`, or its guild variant): a list of commands,
 * each checked by `validateApplicationCommand` at its index, at most 100 CHAT_INPUT, 15 USER and 15 MESSAGE commands
 * (APPLICATION_COMMANDS_TOO_MANY, at `path`) with a name used once per type (APPLICATION_COMMANDS_DUPLICATE_NAME, at
 * the index of the command repeating it).
 * Throws `InvalidFormBodyError` with every error found; returns the commands otherwise.
 */
export function validateApplicationCommandList(
  body: unknown,
  errors: FormErrors = new FormErrors(),
  path: FormErrorPath = [],
): RESTPutAPIApplicationCommandsJSONBody {
  if (body === undefined || body === null) add(errors, path, formErrorMessages.required());
  const list = checkArray(body, errors, path, maxCommands) ?? [];
  const commands: RESTPostAPIApplicationCommandsJSONBody[] = [];
  const counts = new Map<number, number>();
  const names = new Set<string>();
  list.forEach((item, index) => {
    const command = checkApplicationCommand(item, errors, [...path, index]);
    // A refused command still counts towards its type and name, as far as they were readable.
    const source = isJsonObject(item) ? item : {};
    const type =
      command?.type ?? (source.type === undefined || source.type === null ? CommandType.ChatInput : source.type);
    const name = command?.name ?? source.name;
    if (typeof type === 'number') counts.set(type, (counts.get(type) ?? 0) + 1);
    if (typeof type === 'number' && typeof name === 'string') {
      const key = `${type}:${name}`;
      // Discord reports the repeated name at the command that repeats it.
      if (names.has(key)) add(errors, [...path, index], messages.duplicateCommandName());
      names.add(key);
    }
    if (command !== undefined) commands.push(command);
  });
  for (const [type, max] of Object.entries(maxPerType))
    if ((counts.get(Number(type)) ?? 0) > max) add(errors, path, messages.tooManyCommands(max));
  if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
  return commands;
}

/** One command at `path`, or undefined when it has an error (all added to `errors`). */
function checkApplicationCommand(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
): RESTPostAPIApplicationCommandsJSONBody | undefined {
  if (value === undefined || value === null) return add(errors, path, formErrorMessages.required());
  if (!isJsonObject(value)) return add(errors, path, formErrorMessages.notObject());
  const before = errors.count;
  const at = (key: string): FormErrorPath => [...path, key];
  const size: CommandSize = { total: 0 };
  const type = checkCommandType(value.type, errors, at('type'));
  const chatInput = type === CommandType.ChatInput;
  const command: Record<string, unknown> = { type };

  checkLocalizedText(value, 'name', command, errors, path, {
    kind: chatInput ? 'chatInputName' : 'anyName',
    max: limits.name,
    required: true,
    size,
  });
  if (chatInput || type === undefined) {
    checkLocalizedText(value, 'description', command, errors, path, {
      kind: 'description',
      max: limits.description,
      required: chatInput,
      size,
    });
    const options = chatInput ? checkCommandOptions(value.options, errors, at('options'), 'command', size) : undefined;
    if (options !== undefined) command.options = options;
  } else {
    // Context menu commands: no description (Discord keeps ''), no options.
    if (value.description !== undefined && value.description !== null && value.description !== '')
      add(errors, at('description'), messages.contextMenuDescription());
    if (isNonEmpty(value.description_localizations))
      add(errors, at('description_localizations'), messages.contextMenuDescription());
    if (isNonEmpty(value.options)) add(errors, at('options'), messages.contextMenuOptions());
    command.description = '';
  }

  const permissions = checkPermissions(value.default_member_permissions, errors, at('default_member_permissions'));
  if (permissions !== undefined) command.default_member_permissions = permissions;
  for (const key of ['dm_permission', 'nsfw'] as const) {
    const flag = checkBoolean(value[key], errors, at(key));
    if (flag !== undefined) command[key] = flag;
  }
  const commandContexts = checkChoiceList(value.contexts, errors, at('contexts'), contexts);
  if (commandContexts !== undefined) command.contexts = commandContexts;
  const integrations = checkChoiceList(value.integration_types, errors, at('integration_types'), integrationTypes);
  if (integrations !== undefined) command.integration_types = integrations;

  if (size.total > limits.commandTotal) add(errors, path, messages.tooLarge(limits.commandTotal));
  return errors.count === before ? (command as unknown as RESTPostAPIApplicationCommandsJSONBody) : undefined;
}

const isNonEmpty = (value: unknown) =>
  Array.isArray(value) ? value.length > 0 : isJsonObject(value) ? Object.keys(value).length > 0 : value != null;

function checkCommandType(value: unknown, errors: FormErrors, path: FormErrorPath): number | undefined {
  if (value === undefined || value === null) return CommandType.ChatInput;
  if (typeof value === 'number' && (commandTypes as readonly number[]).includes(value)) return value;
  return add(errors, path, formErrorMessages.choices(commandTypes));
}

/** `default_member_permissions`: null (everyone, the default) or a permission bit-set, normalized to its decimal. */
function checkPermissions(value: unknown, errors: FormErrors, path: FormErrorPath): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && decimal.test(value) && BigInt(value) < 2n ** 64n) return BigInt(value).toString();
  return add(errors, path, messages.notPermissions());
}

/** A list of values taken from `allowed` (each at most once: a repeated one is dropped), or undefined when refused. */
function checkChoiceList(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  allowed: readonly number[],
): number[] | undefined {
  const list = checkArray(value, errors, path, allowed.length);
  if (list === undefined) return undefined;
  const before = errors.count;
  const result = new Set<number>();
  list.forEach((item, index) => {
    // Discord takes the integers as numbers or as integer strings (JDA sends `["0", "1"]`); stored as numbers.
    const number = typeof item === 'string' && /^\d{1,3}$/.test(item) ? Number(item) : item;
    if (typeof number === 'number' && allowed.includes(number)) result.add(number);
    else add(errors, [...path, index], formErrorMessages.choices(allowed));
  });
  return errors.count === before ? [...result] : undefined;
}
