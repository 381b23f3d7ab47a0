import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { textLength } from './textLength.js';

/** How `checkString` reads a field. */
export interface CheckStringOptions {
  /** Longest length, in characters (`textLength`). */
  max: number;
  /** Absent, null or (once trimmed) empty is BASE_TYPE_REQUIRED. Default: false. */
  required?: boolean;
  /** Trim leading and trailing whitespace before measuring and return the trimmed text, as Discord does for embeds. */
  trim?: boolean;
}

/**
 * The string at `path` (trimmed if asked), or undefined when absent or refused; a refused value adds one error: not a
 * string, too long (BASE_TYPE_MAX_LENGTH) or, when required, missing (BASE_TYPE_REQUIRED).
 */
export function checkString(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  options: CheckStringOptions,
): string | undefined {
  const error = stringError(value, options);
  if (error !== undefined) {
    errors.add(path, error.code, error.message);
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  return options.trim === true ? value.trim() : value;
}

function stringError(value: unknown, options: CheckStringOptions) {
  if (value === undefined || value === null)
    return options.required === true ? formErrorMessages.required() : undefined;
  if (typeof value !== 'string') return formErrorMessages.notString();
  const text = options.trim === true ? value.trim() : value;
  if (text === '' && options.required === true) return formErrorMessages.required();
  // The UTF-16 length bounds the code point count from above: most strings never need counting.
  if (text.length > options.max && textLength(text) > options.max) return formErrorMessages.maxLength(options.max);
  return undefined;
}
