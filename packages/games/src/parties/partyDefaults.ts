import type { PartyJoinMode } from './PartyJoinMode.js';

/** What {@link GameHost.createParty} uses when an option is left out (the one place these values live). */
export const partyDefaults = {
  /** Squad-sized; Discord's voice `user_limit` caps at 99, and so does a party. */
  capacity: 10,
  joinMode: 'invite',
  name: 'Party',
  /** Lifetime of a join token: long enough to pass an invite around a lobby, short if it leaks. */
  joinTokenTtlMs: 10 * 60_000,
} as const satisfies { capacity: number; joinMode: PartyJoinMode; name: string; joinTokenTtlMs: number };

/** The largest party: Discord's largest voice channel `user_limit`. */
export const MAX_PARTY_CAPACITY = 99;
