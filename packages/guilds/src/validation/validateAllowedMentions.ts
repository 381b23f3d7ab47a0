import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import { checkObject } from './checkObject.js';
import { checkSnowflake } from './checkSnowflake.js';
import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { messageLimits as limits } from './messageLimits.js';

/** A mention type `parse` may list. */
export type AllowedMentionType = 'roles' | 'users' | 'everyone';

/**
 * `allowed_mentions` once checked, every field present: the mention types parsed from the content, the roles and users
 * that may be mentioned besides (ids as strings, each once), and whether a reply pings its author.
 */
export interface AllowedMentions {
  parse: AllowedMentionType[];
  roles: string[];
  users: string[];
  replied_user: boolean;
}

/** Discord's order in its documentation, which is also the order its BASE_TYPE_CHOICES message lists them in here. */
const mentionTypes: readonly AllowedMentionType[] = ['roles', 'users', 'everyone'];

/**
 * Checks a message's `allowed_mentions` (docs/protocol.md, "Form validation", "Allowed mentions"), adding every error
 * to `errors` under `path`: `parse` a subset of roles, users, everyone; `roles` and `users` at most 100 snowflakes;
 * `replied_user` a boolean; and `parse` naming `users` (or `roles`) while the `users` (or `roles`) list is non-empty is
 * Discord's MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE, at `path` itself.
 *
 * Returns the normalized value (absent fields filled with what Discord reads them as: nothing parsed, no ids, no reply
 * ping) when this call found no error; undefined when `value` is absent (undefined or null: the context's default
 * applies, which Discord says differs between messages and webhooks) or refused.
 */
export function validateAllowedMentions(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath = ['allowed_mentions'],
): AllowedMentions | undefined {
  const before = errors.count;
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;

  const parse = new Set<AllowedMentionType>();
  // No length limit of its own: a type listed twice counts once, and anything else is refused item by item.
  const parseList = checkArray(source.parse, errors, [...path, 'parse'], Number.POSITIVE_INFINITY);
  parseList?.forEach((type, index) => {
    if (mentionTypes.includes(type as AllowedMentionType)) parse.add(type as AllowedMentionType);
    else {
      const error = formErrorMessages.choices(mentionTypes);
      errors.add([...path, 'parse', index], error.code, error.message);
    }
  });
  const roles = ids(source.roles, errors, [...path, 'roles']);
  const users = ids(source.users, errors, [...path, 'users']);
  const repliedUser = checkBoolean(source.replied_user, errors, [...path, 'replied_user']);

  // Only a non-empty list conflicts: Discord documents that null or [] beside `parse` is accepted.
  for (const type of ['users', 'roles'] as const) {
    const list = type === 'users' ? users : roles;
    if (parse.has(type) && list.length > 0) {
      const error = formErrorMessages.mentionsParseExclusive(type);
      errors.add(path, error.code, error.message);
    }
  }
  if (errors.count !== before) return undefined;
  return { parse: [...parse], roles, users, replied_user: repliedUser ?? false };
}

/** A list of at most 100 ids as unique decimal strings; refused items are reported at their index and left out. */
function ids(value: unknown, errors: FormErrors, path: FormErrorPath): string[] {
  const list = checkArray(value, errors, path, limits.allowedMentionIds);
  const result = new Set<string>();
  list?.forEach((item, index) => {
    const id = checkSnowflake(item, errors, [...path, index]);
    if (id !== undefined) result.add(id);
  });
  return [...result];
}
