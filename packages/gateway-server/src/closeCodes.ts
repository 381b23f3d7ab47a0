/** Gateway close codes the server sends (PROTOCOL.md). */
export const CloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidAPIVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/** After we close with one of these the session is kept for Resume; after any other it ends. */
const RESUMABLE = new Set<number>([4000, 4001, 4002, 4003, 4005, 4008]);

export function closeKeepsSession(code: number): boolean {
  return RESUMABLE.has(code);
}
