import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as an object, or undefined when absent (undefined or null) or not an object; the latter adds Discord's
 * MODEL_TYPE_CONVERT at `path`.
 */
export function checkObject(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (isJsonObject(value)) return value;
  const error = formErrorMessages.notObject();
  errors.add(path, error.code, error.message);
  return undefined;
}
