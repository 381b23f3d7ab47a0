import type { APIRole, APIRoleColors, APIRoleTags } from 'discord-api-types/v10';
import type { RoleData } from '../types.js';
import { bool, extras, num, strOrNull } from './fields.js';
import { memoizeByIdentity } from './memoizeByIdentity.js';

const FIELDS = new Set([
  'id',
  'name',
  'color',
  'colors',
  'hoist',
  'icon',
  'unicode_emoji',
  'position',
  'permissions',
  'managed',
  'mentionable',
  'tags',
  'flags',
]);

function colors(role: RoleData, color: number): APIRoleColors {
  const given = role.colors as Partial<APIRoleColors> | undefined;
  return {
    primary_color: num(given?.primary_color, color),
    secondary_color: numOrNullField(given?.secondary_color),
    tertiary_color: numOrNullField(given?.tertiary_color),
  };
}

function numOrNullField(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Discord's role object. `colors` (required since 2025) follows `color` when the input has only the legacy field.
 * `icon` and `unicode_emoji` are optional in discord-api-types but always sent (null) by Discord; `tags` only when
 * the role has any, as Discord does.
 */
function buildSerializeRole(role: RoleData): APIRole {
  const color = num(role.color, 0);
  const out: APIRole = {
    ...extras(role, FIELDS),
    id: role.id,
    name: role.name,
    color,
    colors: colors(role, color),
    hoist: bool(role.hoist, false),
    icon: strOrNull(role.icon),
    unicode_emoji: strOrNull(role.unicode_emoji),
    position: role.position,
    permissions: role.permissions,
    managed: bool(role.managed, false),
    mentionable: bool(role.mentionable, false),
    flags: num(role.flags, 0),
  };
  if (typeof role.tags === 'object' && role.tags !== null) out.tags = role.tags as APIRoleTags;
  return out;
}

/** Memoized per input object (see memoizeByIdentity.ts): one serialized copy shared by every session. */
export const serializeRole = memoizeByIdentity(buildSerializeRole);
