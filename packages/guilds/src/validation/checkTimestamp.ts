import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';

/**
 * ISO 8601 as Discord takes it for an embed's `timestamp`: a date, optionally a time (`T` or a space) with seconds,
 * fractions and a zone (`Z` or an offset).
 */
const iso8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The timestamp at `path`, or undefined when absent (undefined or null) or refused: not a string, or not an ISO 8601
 * date that exists (DATE_TIME_TYPE_PARSE).
 */
export function checkTimestamp(value: unknown, errors: FormErrors, path: FormErrorPath): string | undefined {
  if (value === undefined || value === null) return undefined;
  const error =
    typeof value !== 'string'
      ? formErrorMessages.notString()
      : iso8601.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))
        ? undefined
        : formErrorMessages.invalidTimestamp(value);
  if (error === undefined) return value as string;
  errors.add(path, error.code, error.message);
  return undefined;
}
