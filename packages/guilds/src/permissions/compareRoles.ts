import type { PermissionRole } from './PermissionInputs.js';

/**
 * Discord's role order: by position, and on equal positions by id (docs/protocol.md, "Permissions", "Role
 * hierarchy"), the older role (smaller snowflake) ranking higher, as Discord's clients list them. Positive when `a`
 * ranks above `b`, negative when below, 0 only for the same id. Ids are compared as numbers, not strings: snowflakes
 * differ in length.
 */
export function compareRoles(a: PermissionRole, b: PermissionRole): number {
  if (a.position !== b.position) return a.position > b.position ? 1 : -1;
  if (a.id === b.id) return 0;
  return BigInt(a.id) < BigInt(b.id) ? 1 : -1;
}
