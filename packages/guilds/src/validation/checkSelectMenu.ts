import {
  type APISelectMenuComponent,
  type APISelectMenuOption,
  ChannelType,
  ComponentType,
} from 'discord-api-types/v10';
import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import { addError, checkComponentId, checkCustomId, checkEmoji, checkList, setDefined } from './checkComponentParts.js';
import { checkInteger } from './checkInteger.js';
import { checkObject } from './checkObject.js';
import { checkSnowflake } from './checkSnowflake.js';
import { checkString } from './checkString.js';
import { componentLimits as limits } from './componentLimits.js';
import { componentMessages as messages } from './componentMessages.js';
import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** Every select type: string, user, role, mentionable, channel. */
export const selectTypes = [
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
] as const;

/** What each auto-populated select takes in `default_values[].type`. */
const defaultValueTypes: Readonly<Record<number, readonly string[]>> = {
  [ComponentType.UserSelect]: ['user'],
  [ComponentType.RoleSelect]: ['role'],
  [ComponentType.MentionableSelect]: ['user', 'role'],
  [ComponentType.ChannelSelect]: ['channel'],
};

/** The channel types a channel select may filter on: every type Discord defines (aliases appear once). */
const channelTypes = [
  ...new Set(Object.values(ChannelType).filter((value): value is number => typeof value === 'number')),
];

/**
 * A select menu (`type` one of `selectTypes`, already checked) at `path`: `custom_id` (unique in `seen`),
 * `placeholder`, `min_values` 0..25 and `max_values` 1..25 (min not above max), `disabled`, `required`; a string
 * select's 1..25 `options` (values unique, no more defaults than `max_values`, no fewer options than `max_values`);
 * an auto-populated select's `default_values` (at most `max_values`, of the select's kinds) and a channel select's
 * `channel_types`. Returns the menu as sent when this call found no error, undefined otherwise.
 */
export function checkSelectMenu(
  source: Record<string, unknown>,
  type: number,
  errors: FormErrors,
  path: FormErrorPath,
  seen: Set<string>,
): APISelectMenuComponent | undefined {
  const before = errors.count;
  const at = (...segments: (string | number)[]): FormErrorPath => [...path, ...segments];
  const menu: Record<string, unknown> = { type };
  setDefined(menu, 'id', checkComponentId(source.id, errors, at('id')));
  setDefined(menu, 'custom_id', checkCustomId(source.custom_id, errors, at('custom_id'), seen));
  setDefined(
    menu,
    'placeholder',
    checkString(source.placeholder, errors, at('placeholder'), { max: limits.placeholder }),
  );
  const minValues = checkInteger(source.min_values, errors, at('min_values'), 0, limits.selectValues);
  const maxValues = checkInteger(source.max_values, errors, at('max_values'), 1, limits.selectValues);
  setDefined(menu, 'min_values', minValues);
  setDefined(menu, 'max_values', maxValues);
  setDefined(menu, 'disabled', checkBoolean(source.disabled, errors, at('disabled')));
  setDefined(menu, 'required', checkBoolean(source.required, errors, at('required')));
  const rangeChecked = errors.count === before;
  // Discord's defaults: one value to pick, at least one.
  const min = minValues ?? 1;
  const max = maxValues ?? 1;
  if (rangeChecked && min > max) addError(errors, at('min_values'), formErrorMessages.numberMax(max));

  if (type === ComponentType.StringSelect) {
    const options = checkOptions(source.options, errors, at('options'));
    if (options !== undefined) {
      menu.options = options;
      if (rangeChecked && min > options.length)
        addError(errors, at('min_values'), formErrorMessages.numberMax(options.length));
      if (rangeChecked && max > options.length) addError(errors, at('options'), messages.minLength(max));
      if (rangeChecked && options.filter((option) => option.default === true).length > max)
        addError(errors, at('options'), messages.tooManyDefaultValues());
    }
  } else {
    const defaults = checkDefaultValues(source.default_values, errors, at('default_values'), type);
    if (defaults !== undefined) {
      menu.default_values = defaults;
      if (rangeChecked && defaults.length > max)
        addError(errors, at('default_values'), messages.tooManyDefaultValues());
    }
    if (type === ComponentType.ChannelSelect)
      setDefined(menu, 'channel_types', checkChannelTypes(source.channel_types, errors, at('channel_types')));
  }
  return errors.count === before ? (menu as unknown as APISelectMenuComponent) : undefined;
}

/** A string select's `options`: 1..25, each with a label and a value of 1..100, values unique. */
function checkOptions(value: unknown, errors: FormErrors, path: FormErrorPath): APISelectMenuOption[] | undefined {
  const list = checkList(value, errors, path, { min: 1, max: limits.selectOptions, required: true });
  if (list === undefined) return undefined;
  const before = errors.count;
  const options: APISelectMenuOption[] = [];
  const values = new Set<string>();
  list.forEach((item, index) => {
    const option = checkOption(item, errors, [...path, index]);
    if (option === undefined) return;
    if (values.has(option.value)) addError(errors, [...path, index], messages.optionValueDuplicated());
    values.add(option.value);
    options.push(option);
  });
  return errors.count === before ? options : undefined;
}

function checkOption(value: unknown, errors: FormErrors, path: FormErrorPath): APISelectMenuOption | undefined {
  if (value === undefined || value === null) return addError(errors, path, formErrorMessages.required());
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;
  const before = errors.count;
  const text = { max: limits.optionText };
  const label = checkString(source.label, errors, [...path, 'label'], { ...text, required: true });
  const optionValue = checkString(source.value, errors, [...path, 'value'], { ...text, required: true });
  const option: Record<string, unknown> = { label, value: optionValue };
  setDefined(option, 'description', checkString(source.description, errors, [...path, 'description'], text));
  setDefined(option, 'emoji', checkEmoji(source.emoji, errors, [...path, 'emoji']));
  setDefined(option, 'default', checkBoolean(source.default, errors, [...path, 'default']));
  return errors.count === before ? (option as unknown as APISelectMenuOption) : undefined;
}

/** An auto-populated select's `default_values`: at most 25 `{ type, id }` of the kinds the select shows. */
function checkDefaultValues(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  selectType: number,
): { type: string; id: string }[] | undefined {
  const list = checkArray(value, errors, path, limits.defaultValues);
  if (list === undefined) return undefined;
  const allowed = defaultValueTypes[selectType] ?? [];
  const before = errors.count;
  const defaults: { type: string; id: string }[] = [];
  list.forEach((item, index) => {
    const at = [...path, index];
    if (item === undefined || item === null) {
      addError(errors, at, formErrorMessages.required());
      return;
    }
    const source = checkObject(item, errors, at);
    if (source === undefined) return;
    const kind =
      typeof source.type === 'string' && allowed.includes(source.type)
        ? source.type
        : addError(errors, [...at, 'type'], formErrorMessages.choices(allowed));
    const id =
      source.id === undefined || source.id === null
        ? addError(errors, [...at, 'id'], formErrorMessages.required())
        : checkSnowflake(source.id, errors, [...at, 'id']);
    if (kind !== undefined && id !== undefined) defaults.push({ type: kind, id });
  });
  return errors.count === before ? defaults : undefined;
}

/** A channel select's `channel_types`: channel types Discord defines; a repeated one is dropped. */
function checkChannelTypes(value: unknown, errors: FormErrors, path: FormErrorPath): number[] | undefined {
  const list = checkArray(value, errors, path, channelTypes.length);
  if (list === undefined) return undefined;
  const before = errors.count;
  const types = new Set<number>();
  list.forEach((item, index) => {
    if (typeof item === 'number' && channelTypes.includes(item)) types.add(item);
    else addError(errors, [...path, index], formErrorMessages.choices(channelTypes));
  });
  return errors.count === before ? [...types] : undefined;
}
