/** What {@link TextSafety} uses when an option is left out (the one place these values live). */
export const textSafetyDefaults = {
  /** Matched words are starred out: the message still gets through, the word does not. */
  action: 'mask',
  /** obscenity's English dataset is on. */
  englishWordList: true,
  /** Per player: 5 messages in any 5 s (Discord's own per-channel message limit), then 429 with retry_after. */
  rateLimit: { messages: 5, windowMs: 5_000 },
  /** Recently filtered messages kept per player as report evidence. */
  keptPerPlayer: 20,
  /** Players with a rate-limit or evidence entry kept at most; the idlest are forgotten first. */
  maxTrackedPlayers: 100_000,
} as const satisfies {
  action: 'mask' | 'reject' | 'flag';
  englishWordList: boolean;
  rateLimit: { messages: number; windowMs: number };
  keptPerPlayer: number;
  maxTrackedPlayers: number;
};
