import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/** The boolean at `path`, or undefined when absent (undefined or null) or not a boolean (which adds its error). */
export function checkBoolean(value: unknown, errors: FormErrors, path: FormErrorPath): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const error = formErrorMessages.notBoolean();
  errors.add(path, error.code, error.message);
  return undefined;
}
