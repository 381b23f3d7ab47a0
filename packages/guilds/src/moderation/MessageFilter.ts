/** What a message filter sees of a message about to be stored (a new one, or the new content of an edit). */
export interface MessageFilterInput {
  authorId: string;
  channelId: string;
  /** Null in a DM or group DM. */
  guildId: string | null;
  content: string;
  /** The new content of an edit (its message id), or undefined for a new message. */
  editOf?: string;
}

/**
 * What happens to the message: stored as sent (`allow`); refused with Discord's AutoMod error 200000 (`reject`);
 * stored with `content` instead (`mask`: the filter's replacement, e.g. the offending words starred); stored as sent
 * and reported to `flagged` (`flag`); refused with 429 and `retry_after` like a slowmode (`slow`: a per-player rate
 * limit). `reason` is for moderators, never shown to the author.
 */
export type MessageVerdict =
  | { action: 'allow' }
  | { action: 'reject'; reason?: string }
  | { action: 'mask'; content: string; reason?: string }
  | { action: 'flag'; reason: string }
  | { action: 'slow'; retryAfterSeconds: number };

/** A message as stored after a `flag` verdict (or a `mask`), for a moderators' queue. */
export interface FilteredMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  /** What was stored (the masked text for `mask`). */
  content: string;
  /** What the author sent, for `mask`. */
  original?: string;
}

/**
 * The hook every user message goes through before it is stored (`CommunityOptions.messageFilter`): posts and edits of
 * users, not webhooks or interaction responses (applications are trusted by their owner's choice). A filter that
 * throws refuses the message (the error reaches the caller): fail closed, the community never stores what its filter
 * could not judge.
 */
export interface MessageFilter {
  check(input: MessageFilterInput): MessageVerdict | Promise<MessageVerdict>;
  /** Told after a flagged or masked message was stored (its id known): queue it for moderators. */
  filtered?(message: FilteredMessage, verdict: MessageVerdict & { action: 'flag' | 'mask' }): void | Promise<void>;
}
