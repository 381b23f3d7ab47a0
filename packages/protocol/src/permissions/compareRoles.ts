import { compare } from '@concord/snowflake';
import type { PermissionRole } from './PermissionInputs.js';

/**
 * Discord's role order: by position, and on equal positions by id (docs/protocol.md, "Permissions", "Role
 * hierarchy"), the older role (smaller snowflake) ranking higher, as Discord's clients list them. Positive when `a`
 * ranks above `b`, negative when below, 0 only for the same id. Ids are compared as numbers (`compare` of
 * @concord/snowflake), not as strings: snowflakes differ in length.
 */
export function compareRoles(a: PermissionRole, b: PermissionRole): number {
  if (a.position !== b.position) return a.position > b.position ? 1 : -1;
  return compare(b.id, a.id);
}
