/**
 * Discord's limits on a message body (docs/protocol.md, "Form validation"). Lengths are in characters (Unicode code
 * points), measured after trimming leading and trailing whitespace for embed texts, as Discord measures them.
 */
export const messageLimits = {
  /** `content`. */
  content: 2000,
  /** `nonce` as a string. */
  nonce: 25,
  /** Embeds in one message. */
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  /** Fields in one embed. */
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  /** Title, description, field names and values, footer text and author name, summed across all embeds of a message. */
  embedsTotal: 6000,
  /** The largest embed `color` (0xFFFFFF). */
  embedColor: 0xffffff,
  /** Ids in `allowed_mentions.roles`, and in `allowed_mentions.users`. */
  allowedMentionIds: 100,
} as const;
