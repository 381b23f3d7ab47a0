/** A Discord-shaped REST error: `status` for HTTP, `{code, message, errors?}` as the body. */
export class HttpError extends Error {
  readonly code = 'HTTP_ERROR';
  constructor(
    readonly status: number,
    readonly discordCode: number,
    message: string,
    readonly errors?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.errors
      ? { code: this.discordCode, message: this.message, errors: this.errors }
      : { code: this.discordCode, message: this.message };
  }
}

export const unauthorized = () => new HttpError(401, 0, '401: Unauthorized');
export const unknownChannel = () => new HttpError(404, 10003, 'Unknown Channel');
export const unknownGuild = () => new HttpError(404, 10004, 'Unknown Guild');
export const unknownMessage = () => new HttpError(404, 10008, 'Unknown Message');
export const unknownUser = () => new HttpError(404, 10013, 'Unknown User');
export const unknownMember = () => new HttpError(404, 10007, 'Unknown Member');
export const missingAccess = () => new HttpError(403, 50001, 'Missing Access');
export const missingPermissions = () => new HttpError(403, 50013, 'Missing Permissions');

/** 50035 with Discord's nested `errors` shape for one field. */
export function invalidFormBody(field: string, code: string, message: string): HttpError {
  const errors: Record<string, unknown> = {};
  let node = errors;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = { _errors: [{ code, message }] };
    else node = node[part] = {} as Record<string, unknown>;
  });
  return new HttpError(400, 50035, 'Invalid Form Body', errors);
}
