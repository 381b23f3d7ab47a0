import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/**
 * The integer at `path` within `min..max`, or undefined when absent (undefined or null) or refused: not an integer
 * (NUMBER_TYPE_COERCE), below `min` (NUMBER_TYPE_MIN) or above `max` (NUMBER_TYPE_MAX).
 */
export function checkInteger(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const error =
    typeof value !== 'number' || !Number.isInteger(value)
      ? formErrorMessages.notInteger(value)
      : value < min
        ? formErrorMessages.numberMin(min)
        : value > max
          ? formErrorMessages.numberMax(max)
          : undefined;
  if (error === undefined) return value as number;
  errors.add(path, error.code, error.message);
  return undefined;
}
