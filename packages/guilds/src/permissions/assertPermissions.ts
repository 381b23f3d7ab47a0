import { MissingPermissionsError } from './PermissionError.js';

/**
 * Throws `MissingPermissionsError` (50013) naming the bits of `required` that `granted` lacks; returns when none is
 * missing. `granted` is what `computePermissions` returned.
 */
export function assertPermissions(granted: bigint, required: bigint): void {
  const missing = required & ~granted;
  if (missing !== 0n) throw new MissingPermissionsError(missing);
}
