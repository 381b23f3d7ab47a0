import { allPermissions } from '@concord/protocol/permissions';
import type { OverwriteRecord } from '../model/records.js';
import { checkArray } from '../validation/checkArray.js';
import { checkInteger } from '../validation/checkInteger.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import type { FormErrorPath, FormErrors } from '../validation/FormErrors.js';

/** Most overwrites a channel may have (Discord's limit). */
export const MAX_OVERWRITES = 100;

/**
 * A permission bit set as Discord's JSON carries it (a decimal string; a safe integer number is taken too), or
 * undefined when absent or refused (which adds an error). Bits Discord does not define are dropped, as Discord does.
 */
export function readPermissionBits(value: unknown, errors: FormErrors, path: FormErrorPath): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    (typeof value === 'string' && /^\d{1,20}$/.test(value)) ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  ) {
    return BigInt(value) & allPermissions;
  }
  errors.add(path, 'NUMBER_TYPE_COERCE', `Value "${String(value).slice(0, 32)}" is not a valid permission set.`);
  return undefined;
}

/** The `permission_overwrites` array of a channel body, or undefined when absent or refused. */
export function readOverwrites(value: unknown, errors: FormErrors, path: FormErrorPath): OverwriteRecord[] | undefined {
  const items = checkArray(value, errors, path, MAX_OVERWRITES);
  if (items === undefined) return undefined;
  const out: OverwriteRecord[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const overwrite = readOverwrite(item, errors, [...path, index]);
    if (overwrite && !seen.has(overwrite.id)) {
      seen.add(overwrite.id);
      out.push(overwrite);
    }
  });
  return out;
}

/** One overwrite object (`{ id, type, allow, deny }`). */
export function readOverwrite(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  id?: string,
): OverwriteRecord | undefined {
  const body = checkObject(value, errors, path);
  if (!body) return undefined;
  const target = id ?? checkSnowflake(body.id, errors, [...path, 'id']);
  const type = checkInteger(body.type, errors, [...path, 'type'], 0, 1);
  if (body.type === undefined || body.type === null)
    errors.add([...path, 'type'], 'BASE_TYPE_REQUIRED', 'This field is required');
  const allow = readPermissionBits(body.allow, errors, [...path, 'allow']) ?? 0n;
  const deny = readPermissionBits(body.deny, errors, [...path, 'deny']) ?? 0n;
  if (target === undefined || type === undefined) return undefined;
  return { id: target, type: type as 0 | 1, allow: allow.toString(), deny: deny.toString() };
}
