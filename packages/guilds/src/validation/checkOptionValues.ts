import {
  type APIApplicationCommandOptionChoice,
  ChannelType,
  ApplicationCommandOptionType as OptionType,
} from 'discord-api-types/v10';
import { applicationCommandLimits as limits } from './applicationCommandLimits.js';
import { applicationCommandMessages as messages } from './applicationCommandMessages.js';
import { checkArray } from './checkArray.js';
import { isJsonObject } from './checkObject.js';
import { type CommandSize, checkCommandText, checkLocalizedText } from './commandText.js';
import type { FormError, FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { textLength } from './textLength.js';

const channelTypes: readonly number[] = [
  ...new Set(Object.values(ChannelType).filter((value): value is number => typeof value === 'number')),
].sort((a, b) => a - b);

function add(errors: FormErrors, path: FormErrorPath, error: FormError): undefined {
  errors.add(path, error.code, error.message);
  return undefined;
}

/**
 * The number at `path` within `min..max` (an integer when `integer`), or undefined when absent or refused: not a
 * number (NUMBER_TYPE_COERCE), below `min` (NUMBER_TYPE_MIN) or above `max` (NUMBER_TYPE_MAX).
 */
export function checkNumber(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  integer: boolean,
  min: number,
  max: number = limits.numberMagnitude,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return add(errors, path, integer ? formErrorMessages.notInteger(value) : messages.notNumber());
  if (integer && !Number.isInteger(value)) return add(errors, path, formErrorMessages.notInteger(value));
  if (value < min) return add(errors, path, formErrorMessages.numberMin(min));
  if (value > max) return add(errors, path, formErrorMessages.numberMax(max));
  return value;
}

/** A choice's `value` for an option of `type`: a string of 1..100 characters, an integer or a number (within 2^53). */
function checkChoiceValue(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  type: number,
): string | number | undefined {
  if (value === undefined || value === null) return add(errors, path, formErrorMessages.required());
  if (type === OptionType.String) {
    if (typeof value !== 'string') return add(errors, path, messages.choiceValueType('string'));
    return checkCommandText(value, errors, path, 'description', limits.choiceValue, true);
  }
  const integer = type === OptionType.Integer;
  if (typeof value !== 'number') return add(errors, path, messages.choiceValueType(integer ? 'int' : 'number'));
  return checkNumber(value, errors, path, integer, -limits.numberMagnitude);
}

/**
 * The `choices` at `path` of a STRING, INTEGER or NUMBER option (at most 25, each `{ name, name_localizations?, value }`
 * with a value of the option's type), or undefined when absent or refused. Names and values count towards `size`.
 */
export function checkChoices(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  type: number,
  size: CommandSize,
): APIApplicationCommandOptionChoice[] | undefined {
  const list = checkArray(value, errors, path, limits.choices);
  if (list === undefined) return undefined;
  const before = errors.count;
  const choices: Record<string, unknown>[] = [];
  list.forEach((item, index) => {
    const at: FormErrorPath = [...path, index];
    if (item === undefined || item === null) {
      add(errors, at, formErrorMessages.required());
      return;
    }
    if (!isJsonObject(item)) {
      add(errors, at, formErrorMessages.notObject());
      return;
    }
    const choice: Record<string, unknown> = {};
    checkLocalizedText(item, 'name', choice, errors, at, {
      kind: 'anyName',
      max: limits.choiceName,
      required: true,
      size,
    });
    const checked = checkChoiceValue(item.value, errors, [...at, 'value'], type);
    if (checked !== undefined) {
      choice.value = checked;
      size.total += typeof checked === 'string' ? textLength(checked) : String(checked).length;
    }
    choices.push(choice);
  });
  return errors.count === before ? (choices as unknown as APIApplicationCommandOptionChoice[]) : undefined;
}

/**
 * The `channel_types` at `path` of a CHANNEL option: Discord's channel types, each once (a repeated one is dropped), or
 * undefined when absent or refused (BASE_TYPE_CHOICES at the item).
 */
export function checkChannelTypes(value: unknown, errors: FormErrors, path: FormErrorPath): number[] | undefined {
  const list = checkArray(value, errors, path, channelTypes.length);
  if (list === undefined) return undefined;
  const before = errors.count;
  const result = new Set<number>();
  list.forEach((item, index) => {
    if (typeof item === 'number' && channelTypes.includes(item)) result.add(item);
    else add(errors, [...path, index], formErrorMessages.choices(channelTypes));
  });
  return errors.count === before ? [...result] : undefined;
}
