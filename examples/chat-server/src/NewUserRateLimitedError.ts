/**
 * Dev auth refused to create another user for this address until its window resets (src/devAuth.ts). REST answers 429;
 * the gateway closes with 4004, the only refusal its `authenticate` hook can express.
 */
export class NewUserRateLimitedError extends Error {
  readonly code = 'NEW_USER_RATE_LIMITED';
  constructor(
    /** Seconds until a new user may be created from this address. */
    readonly retryAfter: number,
    options?: ErrorOptions,
  ) {
    super(`Too many new users from this address; retry in ${retryAfter.toFixed(1)} s`, options);
  }
}
