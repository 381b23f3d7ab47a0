import type { FormErrorPath, FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { textLength } from '../validation/textLength.js';

/** Substrings Discord refuses in a webhook's name and in an execute's `username` (case-insensitive). */
const FORBIDDEN = ['clyde', 'discord'] as const;

/**
 * A webhook name (or an execute's `username` override): 1–80 characters, without "clyde" or "discord" in any case,
 * refused as Discord does (`USERNAME_INVALID_CONTAINS`, `Username cannot contain "clyde"`). Undefined when absent
 * (unless required) or refused.
 */
export function readWebhookName(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  required: boolean,
): string | undefined {
  if (value === undefined || value === null) {
    if (required) errors.add(path, formErrorMessages.required().code, formErrorMessages.required().message);
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(path, formErrorMessages.notString().code, formErrorMessages.notString().message);
    return undefined;
  }
  const length = value.length > 400 ? 81 : textLength(value);
  if (length < 1 || length > 80) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 80 in length.');
    return undefined;
  }
  const lower = value.toLowerCase();
  const bad = FORBIDDEN.find((word) => lower.includes(word));
  if (bad !== undefined) {
    errors.add(path, 'USERNAME_INVALID_CONTAINS', `Username cannot contain "${bad}"`);
    return undefined;
  }
  return value;
}
