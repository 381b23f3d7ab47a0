import { type APIApplicationCommandOption, ApplicationCommandOptionType as OptionType } from 'discord-api-types/v10';
import { applicationCommandLimits as limits } from './applicationCommandLimits.js';
import { applicationCommandMessages as messages } from './applicationCommandMessages.js';
import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import { isJsonObject } from './checkObject.js';
import { checkChannelTypes, checkChoices, checkNumber } from './checkOptionValues.js';
import { type CommandSize, checkLocalizedText } from './commandText.js';
import type { FormError, FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** Where a list of options sits: a command's own, a subcommand group's, or a subcommand's. */
export type OptionLevel = 'command' | 'group' | 'subcommand';

const optionTypes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const isSubcommandType = (type: number | undefined) =>
  type === OptionType.Subcommand || type === OptionType.SubcommandGroup;
const hasChoicesType = (type: number | undefined) =>
  type === OptionType.String || type === OptionType.Integer || type === OptionType.Number;

function add(errors: FormErrors, path: FormErrorPath, error: FormError): void {
  errors.add(path, error.code, error.message);
}

/** What the level checks need of one option, read even when the option itself was refused. */
interface OptionSummary {
  type: number | undefined;
  name: string | undefined;
  required: boolean;
  option: APIApplicationCommandOption | undefined;
}

/**
 * The `options` at `path` (at most 25) of a command, group or subcommand, each checked (`checkOption`), then the rules
 * of the level: unique names (APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME at `path`), required options before optional
 * ones (APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID at each misplaced option) and, on a command, subcommands and groups
 * not mixed with other types (APPLICATION_COMMAND_OPTIONS_TYPE_INVALID at `path`). Undefined when absent or when any error was found.
 */
export function checkCommandOptions(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  level: OptionLevel,
  size: CommandSize,
): APIApplicationCommandOption[] | undefined {
  const list = checkArray(value, errors, path, limits.options);
  if (list === undefined) return undefined;
  const before = errors.count;
  const summaries = list.map((item, index) => checkOption(item, errors, [...path, index], level, size));
  const names = new Set<string>();
  let duplicate = false;
  let optionalSeen = false;
  let subcommands = false;
  let others = false;
  summaries.forEach((summary, index) => {
    if (summary.name !== undefined) {
      if (names.has(summary.name)) duplicate = true;
      names.add(summary.name);
    }
    if (summary.type === undefined) return;
    if (isSubcommandType(summary.type)) {
      subcommands = true;
      return;
    }
    others = true;
    // Discord reports each required option that follows an optional one, at that option.
    if (summary.required && optionalSeen) add(errors, [...path, index], messages.requiredOrder());
    if (!summary.required) optionalSeen = true;
  });
  if (duplicate) add(errors, path, messages.duplicateOptionName());
  if (level === 'command' && subcommands && others) add(errors, path, messages.mixedOptionTypes());
  if (errors.count !== before) return undefined;
  return summaries.map((summary) => summary.option as APIApplicationCommandOption);
}

function checkType(value: unknown, errors: FormErrors, path: FormErrorPath, level: OptionLevel): number | undefined {
  if (value === undefined || value === null) {
    add(errors, path, formErrorMessages.required());
    return undefined;
  }
  if (typeof value !== 'number' || !(optionTypes as readonly number[]).includes(value)) {
    add(errors, path, formErrorMessages.choices(optionTypes));
    return undefined;
  }
  const allowed =
    level === 'command' ||
    (level === 'group' && value === OptionType.Subcommand) ||
    (level === 'subcommand' && !isSubcommandType(value));
  if (!allowed) add(errors, path, messages.nestedOptionType());
  return value;
}

/** Adds "not for this option type" at `path` when `value` is given (not absent, null or false). */
function refuseField(value: unknown, errors: FormErrors, path: FormErrorPath): void {
  if (value !== undefined && value !== null && value !== false) add(errors, path, messages.notForOptionType());
}

/**
 * One option: `type` (1..11, allowed at this level), `name` and `description` with their localizations, `required`,
 * and the fields of its type (`choices`, `autocomplete`, `min_value`/`max_value`, `min_length`/`max_length`,
 * `channel_types`, nested `options`); a field given to a type that has no use for it is refused.
 */
function checkOption(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  level: OptionLevel,
  size: CommandSize,
): OptionSummary {
  const summary: OptionSummary = { type: undefined, name: undefined, required: false, option: undefined };
  if (value === undefined || value === null) {
    add(errors, path, formErrorMessages.required());
    return summary;
  }
  if (!isJsonObject(value)) {
    add(errors, path, formErrorMessages.notObject());
    return summary;
  }
  const before = errors.count;
  const at = (key: string): FormErrorPath => [...path, key];
  const type = checkType(value.type, errors, at('type'), level);
  summary.type = type;
  if (typeof value.name === 'string') summary.name = value.name;
  const option: Record<string, unknown> = { type };
  checkLocalizedText(value, 'name', option, errors, path, {
    kind: 'chatInputName',
    max: limits.name,
    required: true,
    size,
  });
  checkLocalizedText(value, 'description', option, errors, path, {
    kind: 'description',
    max: limits.description,
    required: true,
    size,
  });
  if (type === undefined) return summary;

  const required = checkBoolean(value.required, errors, at('required'));
  if (isSubcommandType(type)) refuseField(required, errors, at('required'));
  else if (required !== undefined) option.required = required;
  summary.required = required === true;

  const typed = hasChoicesType(type);
  const autocomplete = checkBoolean(value.autocomplete, errors, at('autocomplete'));
  if (typed) {
    const choices = checkChoices(value.choices, errors, at('choices'), type, size);
    if (choices !== undefined) option.choices = choices;
    if (autocomplete === true && Array.isArray(value.choices) && value.choices.length > 0)
      add(errors, at('autocomplete'), messages.choicesAutocomplete());
    if (autocomplete !== undefined) option.autocomplete = autocomplete;
  } else {
    refuseField(value.choices, errors, at('choices'));
    refuseField(autocomplete, errors, at('autocomplete'));
  }

  if (type === OptionType.Integer || type === OptionType.Number) {
    const integer = type === OptionType.Integer;
    const min = checkNumber(value.min_value, errors, at('min_value'), integer, -limits.numberMagnitude);
    const max = checkNumber(value.max_value, errors, at('max_value'), integer, -limits.numberMagnitude);
    if (min !== undefined && max !== undefined && min > max) add(errors, at('min_value'), messages.minAboveMax());
    if (min !== undefined) option.min_value = min;
    if (max !== undefined) option.max_value = max;
  } else {
    refuseField(value.min_value, errors, at('min_value'));
    refuseField(value.max_value, errors, at('max_value'));
  }

  if (type === OptionType.String) {
    const min = checkNumber(value.min_length, errors, at('min_length'), true, 0, limits.stringLength);
    const max = checkNumber(value.max_length, errors, at('max_length'), true, 1, limits.stringLength);
    if (min !== undefined && max !== undefined && min > max) add(errors, at('min_length'), messages.minAboveMax());
    if (min !== undefined) option.min_length = min;
    if (max !== undefined) option.max_length = max;
  } else {
    refuseField(value.min_length, errors, at('min_length'));
    refuseField(value.max_length, errors, at('max_length'));
  }

  if (type === OptionType.Channel) {
    const channelTypes = checkChannelTypes(value.channel_types, errors, at('channel_types'));
    if (channelTypes !== undefined) option.channel_types = channelTypes;
  } else refuseField(value.channel_types, errors, at('channel_types'));

  // Only allowed nestings are walked, so the depth is at most command → group → subcommand → option.
  const nested =
    type === OptionType.SubcommandGroup && level === 'command'
      ? 'group'
      : type === OptionType.Subcommand && level !== 'subcommand'
        ? 'subcommand'
        : undefined;
  if (nested !== undefined) {
    const options = checkCommandOptions(value.options, errors, at('options'), nested, size);
    if (options !== undefined) option.options = options;
  } else refuseField(value.options, errors, at('options'));

  if (errors.count === before) summary.option = option as unknown as APIApplicationCommandOption;
  return summary;
}
