import type { FormError } from './FormErrors.js';

/**
 * The `{ code, message }` of each form error this package reports, worded as Discord words them. docs/protocol.md,
 * "Form validation", says which were confirmed from Discord and which are ours where Discord's wording is unknown.
 */
export const formErrorMessages = {
  required: (): FormError => ({ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }),
  maxLength: (max: number): FormError => ({
    code: 'BASE_TYPE_MAX_LENGTH',
    message: `Must be ${max} or fewer in length.`,
  }),
  badLength: (min: number, max: number): FormError => ({
    code: 'BASE_TYPE_BAD_LENGTH',
    message: `Must be between ${min} and ${max} in length.`,
  }),
  choices: (choices: readonly (string | number)[]): FormError => ({
    code: 'BASE_TYPE_CHOICES',
    message: `Value must be one of (${choices.map((choice) => (typeof choice === 'string' ? `'${choice}'` : String(choice))).join(', ')}).`,
  }),
  numberMax: (max: number): FormError => ({
    code: 'NUMBER_TYPE_MAX',
    message: `int value should be less than or equal to ${max}.`,
  }),
  numberMin: (min: number): FormError => ({
    code: 'NUMBER_TYPE_MIN',
    message: `int value should be greater than or equal to ${min}.`,
  }),
  notInteger: (value: unknown): FormError => ({
    code: 'NUMBER_TYPE_COERCE',
    message: `Value "${shown(value)}" is not int.`,
  }),
  notSnowflake: (value: unknown): FormError => ({
    code: 'NUMBER_TYPE_COERCE',
    message: `Value "${shown(value)}" is not snowflake.`,
  }),
  notString: (): FormError => ({ code: 'BASE_TYPE_BAD_TYPE', message: 'Must be a string.' }),
  notBoolean: (): FormError => ({ code: 'BASE_TYPE_BAD_TYPE', message: 'Must be a boolean.' }),
  notArray: (): FormError => ({ code: 'BASE_TYPE_BAD_TYPE', message: 'Must be an array.' }),
  notObject: (): FormError => ({ code: 'MODEL_TYPE_CONVERT', message: 'Expected an object/dictionary.' }),
  invalidUrl: (): FormError => ({ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }),
  invalidTimestamp: (value: unknown): FormError => ({
    code: 'DATE_TIME_TYPE_PARSE',
    message: `Could not parse ${shown(value)}. Should be ISO8601.`,
  }),
  embedSizeExceeded: (max: number): FormError => ({
    code: 'MAX_EMBED_SIZE_EXCEEDED',
    message: `Embed size exceeds maximum size of ${max}`,
  }),
  mentionsParseExclusive: (type: string): FormError => ({
    code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
    message: `parse:["${type}"] and ${type}: [ids...] are mutually exclusive.`,
  }),
  nonceType: (): FormError => ({ code: 'NONCE_TYPE_INVALID_TYPE', message: 'This field must be a string or integer.' }),
  nonceTooLong: (max: number): FormError => ({
    code: 'NONCE_TYPE_TOO_LONG',
    message: `Must be ${max} or fewer characters long.`,
  }),
} as const;

/** Longest echo of a refused value: Discord quotes the value, and a hostile one must not make the answer large. */
const maxShown = 64;

/** A short rendering of a refused value for a message: strings cut to `maxShown`, containers by kind only. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > maxShown ? `${value.slice(0, maxShown)}…` : value;
  if (Array.isArray(value)) return '[...]';
  if (typeof value === 'object' && value !== null) return '{...}';
  return String(value);
}
