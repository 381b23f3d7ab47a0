import type { APIMessageComponentEmoji } from 'discord-api-types/v10';
import { checkBoolean } from './checkBoolean.js';
import { checkInteger } from './checkInteger.js';
import { checkObject } from './checkObject.js';
import { checkSnowflake } from './checkSnowflake.js';
import { checkString } from './checkString.js';
import { componentLimits as limits } from './componentLimits.js';
import { componentMessages as messages } from './componentMessages.js';
import type { FormError, FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** Adds `error` at `path`; returns undefined so a check can `return addError(...)`. */
export function addError(errors: FormErrors, path: FormErrorPath, error: FormError): undefined {
  errors.add(path, error.code, error.message);
  return undefined;
}

/** Sets `target[key]` when `value` was given and passed its check: absent fields stay absent, as sent. */
export function setDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/**
 * The component's `type` when it is one of `allowed`; otherwise UNION_TYPE_CHOICES at the component itself (where
 * Discord reports a component that does not belong where it stands), and undefined.
 */
export function checkComponentType(
  source: Record<string, unknown>,
  errors: FormErrors,
  path: FormErrorPath,
  allowed: readonly number[],
): number | undefined {
  const { type } = source;
  if (typeof type === 'number' && allowed.includes(type)) return type;
  return addError(errors, path, messages.unionType(allowed));
}

/** A component's optional `id`: an integer of 0..2^31-1, kept as sent. */
export function checkComponentId(value: unknown, errors: FormErrors, path: FormErrorPath): number | undefined {
  return checkInteger(value, errors, path, 0, limits.componentId);
}

/**
 * A `custom_id` of 1..100 characters not used before in the same message or modal (`seen`, which it is added to).
 * Absent or empty adds `missing` (BASE_TYPE_REQUIRED unless said otherwise).
 */
export function checkCustomId(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  seen: Set<string>,
  missing: FormError = formErrorMessages.required(),
): string | undefined {
  if (value === undefined || value === null || value === '') return addError(errors, path, missing);
  const id = checkString(value, errors, path, { max: limits.customId });
  if (id === undefined) return undefined;
  if (seen.has(id)) return addError(errors, path, messages.customIdDuplicated());
  seen.add(id);
  return id;
}

/**
 * A button's or option's `emoji`: `{ id?, name?, animated? }` with an id (custom emoji) or a name (unicode emoji).
 * Whether a custom emoji exists is not checked: the client shows its name when it cannot load it.
 */
export function checkEmoji(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
): APIMessageComponentEmoji | undefined {
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;
  const before = errors.count;
  const emoji: APIMessageComponentEmoji = {};
  if (source.id !== undefined && source.id !== null) {
    const id = checkSnowflake(source.id, errors, [...path, 'id']);
    if (id !== undefined) emoji.id = id;
  }
  const name = checkString(source.name, errors, [...path, 'name'], { max: limits.emojiName });
  if (name !== undefined) emoji.name = name;
  const animated = checkBoolean(source.animated, errors, [...path, 'animated']);
  if (animated !== undefined) emoji.animated = animated;
  if (errors.count !== before) return undefined;
  if (emoji.id === undefined && (emoji.name === undefined || emoji.name === ''))
    return addError(errors, path, messages.invalidEmoji());
  return emoji;
}

/**
 * A list of `min..max` items, or undefined when absent (BASE_TYPE_REQUIRED if `required`), not a list, or of a length
 * outside the range (BASE_TYPE_BAD_LENGTH, the list refused whole before any item is looked at).
 */
export function checkList(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  range: { min: number; max: number; required?: boolean },
): readonly unknown[] | undefined {
  if (value === undefined || value === null)
    return range.required === true ? addError(errors, path, formErrorMessages.required()) : undefined;
  if (!Array.isArray(value)) return addError(errors, path, formErrorMessages.notArray());
  if (value.length < range.min || value.length > range.max)
    return addError(errors, path, formErrorMessages.badLength(range.min, range.max));
  return value;
}
