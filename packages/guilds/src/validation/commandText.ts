import { Locale } from 'discord-api-types/v10';
import { applicationCommandMessages as messages } from './applicationCommandMessages.js';
import { checkObject } from './checkObject.js';
import type { FormError, FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { textLength } from './textLength.js';

/** Discord's pattern for CHAT_INPUT command and option names (docs/protocol.md, "Application commands"). */
const chatInputName = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const locales: ReadonlySet<string> = new Set(Object.values(Locale));

/** How a command text is read: a name following Discord's pattern, any name (context menus), or a description. */
export type TextKind = 'chatInputName' | 'anyName' | 'description';

/**
 * Adds the longest of a field's default and localized lengths to a command's size: Discord counts only the longest
 * localization of each field towards the 8000 limit.
 */
export interface CommandSize {
  total: number;
}

function add(errors: FormErrors, path: FormErrorPath, error: FormError): undefined {
  errors.add(path, error.code, error.message);
  return undefined;
}

/** The errors of one command text `text` of `kind` with length 1..`max` (none when it is fine). */
function textErrors(text: string, kind: TextKind, max: number): FormError[] {
  const length = text.length > max * 2 ? max + 1 : textLength(text);
  if (length < 1 || length > max) return [formErrorMessages.badLength(1, max)];
  if (kind !== 'chatInputName') return [];
  // Discord answers both for a name off its pattern, and the second alone for letters that are not lowercase.
  if (!chatInputName.test(text)) return [messages.regex(), messages.invalidName()];
  if (text.toLowerCase() !== text) return [messages.invalidName()];
  return [];
}

/**
 * The text at `path` checked as `kind` (1..`max` characters), or undefined when absent or refused: missing when
 * `required` (BASE_TYPE_REQUIRED), not a string, outside 1..`max` (BASE_TYPE_BAD_LENGTH), or a CHAT_INPUT name not
 * matching Discord's pattern (STRING_TYPE_REGEX and APPLICATION_COMMAND_INVALID_NAME) or not lowercase (the latter).
 */
export function checkCommandText(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  kind: TextKind,
  max: number,
  required: boolean,
): string | undefined {
  if (value === undefined || value === null)
    return required ? add(errors, path, formErrorMessages.required()) : undefined;
  if (typeof value !== 'string') return add(errors, path, formErrorMessages.notString());
  const found = textErrors(value, kind, max);
  for (const error of found) add(errors, path, error);
  return found.length === 0 ? value : undefined;
}

/**
 * A `*_localizations` dictionary (a locale of Discord's `Locale` → a text checked like the default one, or null), or
 * undefined when absent or refused. An unknown locale is APPLICATION_COMMAND_INVALID_LOCALE at its key. Returns the
 * longest accepted text's length with it, for the command's size.
 */
export function checkLocalizations(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  kind: TextKind,
  max: number,
): { localizations: Record<string, string | null>; longest: number } | undefined {
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;
  const before = errors.count;
  const localizations: Record<string, string | null> = {};
  let longest = 0;
  let seen = 0;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    // More keys than locales means some are not locales: stop early, the answer is bounded by the locales anyway.
    if (++seen > locales.size + 1) break;
    if (!locales.has(key)) {
      add(errors, [...path, key], messages.invalidLocale());
      continue;
    }
    const text = source[key];
    if (text === null) {
      localizations[key] = null;
      continue;
    }
    const checked = checkCommandText(text, errors, [...path, key], kind, max, true);
    if (checked === undefined) continue;
    localizations[key] = checked;
    longest = Math.max(longest, textLength(checked));
  }
  return errors.count === before ? { localizations, longest } : undefined;
}

/**
 * Checks `source[key]` and `source[key + '_localizations']`, sets both on `target` when accepted and adds the longest
 * of them to `size`. Returns the default text.
 */
export function checkLocalizedText(
  source: Record<string, unknown>,
  key: 'name' | 'description',
  target: Record<string, unknown>,
  errors: FormErrors,
  path: FormErrorPath,
  options: { kind: TextKind; max: number; required: boolean; size: CommandSize },
): string | undefined {
  const { kind, max, required, size } = options;
  const text = checkCommandText(source[key], errors, [...path, key], kind, max, required);
  const localizationsKey = `${key}_localizations`;
  const localized = checkLocalizations(source[localizationsKey], errors, [...path, localizationsKey], kind, max);
  if (text !== undefined) target[key] = text;
  if (localized !== undefined) target[localizationsKey] = localized.localizations;
  size.total += Math.max(text === undefined ? 0 : textLength(text), localized?.longest ?? 0);
  return text;
}
