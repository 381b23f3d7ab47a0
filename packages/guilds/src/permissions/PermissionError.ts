/**
 * Discord's JSON error codes for permission failures (docs/protocol.md, "Permissions", "Errors"): 50001 Missing
 * Access (the resource is not visible to the caller at all), 50013 Missing Permissions (visible, but the action needs
 * permissions the caller lacks). A REST server answers `{ code, message }` with the same numbers.
 */
export type PermissionErrorCode = 50001 | 50013;

/** Base class of the package's permission errors; `code` is what callers switch on and what a REST body carries. */
export class PermissionError extends Error {
  override readonly name: string = 'PermissionError';
  readonly code: PermissionErrorCode;
  constructor(code: PermissionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The action needs permissions the member does not have (50013). */
export class MissingPermissionsError extends PermissionError {
  override readonly name: string = 'MissingPermissionsError';
  /** The required bits the member lacks. */
  readonly missing: bigint;
  constructor(missing: bigint, options?: { cause?: unknown }) {
    super(50013, `Missing Permissions (0x${missing.toString(16)})`, options);
    this.missing = missing;
  }
}

/** The member cannot see the resource at all, e.g. a channel without VIEW_CHANNEL (50001). */
export class MissingAccessError extends PermissionError {
  override readonly name: string = 'MissingAccessError';
  constructor(options?: { cause?: unknown }) {
    super(50001, 'Missing Access', options);
  }
}
