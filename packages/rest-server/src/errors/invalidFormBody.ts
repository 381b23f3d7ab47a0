import { FormErrors } from '@concord/guilds';
import { RestError } from './RestError.js';

/**
 * 50035 Invalid Form Body with one error at `path` (field names outermost first; `[]` is the body itself, which
 * Discord reports as `errors._errors`), built by the same collector the services use so the shapes agree.
 */
export function invalidFormBody(
  path: readonly (string | number)[],
  code: string,
  message: string,
  headers?: Record<string, string>,
): RestError {
  const errors = new FormErrors();
  errors.add(path, code, message);
  const body = errors.toJSON();
  return new RestError(400, body.code, body.message, {
    errors: body.errors as Record<string, unknown>,
    ...(headers ? { headers } : {}),
  });
}

/** 50035 NUMBER_TYPE_COERCE, as Discord answers a path or query value that is not a snowflake. */
export function notSnowflake(field: string, value: string): RestError {
  // Discord echoes the value; a long one is cut so the error stays small.
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return invalidFormBody([field], 'NUMBER_TYPE_COERCE', `Value "${shown}" is not snowflake.`);
}
