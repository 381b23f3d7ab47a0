import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/**
 * `value` as an array of at most `max` items, or undefined when absent (undefined or null), not an array, or too long
 * (each adds its error at `path`). A too-long array is refused whole and its items are never looked at, so the work
 * for a hostile body stays proportional to the limits, not to its length.
 */
export function checkArray(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  max: number,
): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  const error = !Array.isArray(value)
    ? formErrorMessages.notArray()
    : value.length > max
      ? formErrorMessages.maxLength(max)
      : undefined;
  if (error === undefined) return value as unknown[];
  errors.add(path, error.code, error.message);
  return undefined;
}
