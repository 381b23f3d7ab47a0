import { isSnowflake } from '@concord/snowflake';
import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/**
 * The id at `path` as its decimal string, or undefined when refused (NUMBER_TYPE_COERCE, "is not snowflake"). Ids come
 * as strings; a JSON number is taken when it is a safe non-negative integer, since clients may send ids as numbers
 * (docs/protocol.md, "Encodings").
 */
export function checkSnowflake(value: unknown, errors: FormErrors, path: FormErrorPath): string | undefined {
  if (typeof value === 'string' && isSnowflake(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  const error = formErrorMessages.notSnowflake(value);
  errors.add(path, error.code, error.message);
  return undefined;
}
