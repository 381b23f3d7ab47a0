/**
 * Discord's interaction clocks: an application answers within 3 seconds or the invoking user is told it failed (and
 * the callback is refused from then on); the token works for 15 minutes for the original response and follow-ups.
 */
export const interactionDefaults = {
  /** Time to the initial response (the callback), in ms. */
  deadlineMs: 3000,
  /** How long the interaction token works on `/webhooks/{app}/{token}`, in ms. */
  tokenLifetimeMs: 15 * 60 * 1000,
  /**
   * How long an interaction's record and its ephemeral messages are kept (components on an ephemeral message stay
   * clickable that long); older ones are swept, a bounded batch at a time, by the node taking invocations.
   */
  retainMs: 24 * 60 * 60 * 1000,
} as const satisfies InteractionClocks;

/** What `CommunityOptions.interactions` may change (tests shorten the deadline). */
export interface InteractionClocks {
  deadlineMs: number;
  tokenLifetimeMs: number;
  retainMs: number;
}
