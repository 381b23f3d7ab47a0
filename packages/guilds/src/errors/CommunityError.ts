/**
 * Discord's JSON error codes for refusals that are neither permissions, validation nor unknown entities, with the HTTP
 * status Discord answers them with (docs/protocol.md, "Errors").
 */
export const communityErrors = {
  maxGuilds: { code: 30001, status: 400, message: 'Maximum number of guilds reached (100)' },
  maxRoles: { code: 30005, status: 400, message: 'Maximum number of guild roles reached (250)' },
  maxChannels: { code: 30013, status: 400, message: 'Maximum number of guild channels reached (500)' },
  maxReactions: { code: 30010, status: 400, message: 'Maximum number of reactions reached (20)' },
  maxPins: { code: 30003, status: 400, message: 'Maximum number of pins reached for the channel (50)' },
  maxEmojis: { code: 30008, status: 400, message: 'Maximum number of emojis reached' },
  maxInviteUses: { code: 10006, status: 404, message: 'Unknown Invite' },
  bannedFromGuild: { code: 40007, status: 403, message: 'The user is banned from this guild.' },
  ownerCannotLeave: { code: 50001, status: 403, message: 'Missing Access' },
  cannotDeleteEveryone: { code: 50028, status: 400, message: 'Invalid Role' },
  invalidRecipient: { code: 50033, status: 400, message: 'Invalid Recipient(s)' },
  cannotMessageUser: { code: 50007, status: 403, message: 'Cannot send messages to this user' },
  wrongChannelType: { code: 50024, status: 400, message: 'Cannot execute action on this channel type' },
  systemMessage: { code: 50021, status: 400, message: 'Cannot execute action on a system message' },
  otherAuthor: { code: 50005, status: 403, message: 'Cannot edit a message authored by another user' },
  bulkDeleteTooOld: {
    code: 50034,
    status: 400,
    message: 'You can only bulk delete messages that are under 14 days old.',
  },
  threadArchived: { code: 50083, status: 400, message: 'Thread is archived' },
  timedOut: { code: 50013, status: 403, message: 'Missing Permissions' },
  alreadyThreaded: { code: 160004, status: 400, message: 'A thread has already been created for this message' },
  noBlobStore: { code: 0, status: 501, message: 'This server stores no images (no blob store configured)' },
  slowmode: { code: 20016, status: 429, message: 'This action cannot be performed due to slowmode rate limit.' },
  automodBlocked: { code: 200000, status: 400, message: 'Message was blocked by automatic moderation' },
  maxRelationships: { code: 30002, status: 400, message: 'Maximum number of friends reached (1000)' },
  maxWebhooks: { code: 30007, status: 400, message: 'Maximum number of webhooks reached (15)' },
  maxCommands: {
    code: 30032,
    status: 400,
    message: 'Maximum number of application commands reached',
  },
  invalidWebhookToken: { code: 50027, status: 401, message: 'Invalid Webhook Token' },
  webhookForumNeedsThread: {
    code: 220001,
    status: 400,
    message: 'Webhooks posted to forum channels must have a thread_name or thread_id',
  },
  interactionAcknowledged: { code: 40060, status: 400, message: 'Interaction has already been acknowledged.' },
  interactionNotAcknowledged: {
    code: 10062,
    status: 404,
    message: 'Unknown interaction',
  },
  invalidCommandInvocation: { code: 50035, status: 400, message: 'Invalid Form Body' },
  botOnly: { code: 20002, status: 403, message: 'Only bots can use this endpoint' },
  notABot: { code: 20001, status: 403, message: 'Bots cannot use this endpoint' },
  notApplicationOwner: {
    code: 20012,
    status: 403,
    message: 'You are not authorized to perform this action on this application',
  },
} as const satisfies Record<string, { code: number; status: number; message: string }>;

export type CommunityErrorKind = keyof typeof communityErrors;

/** A refusal with Discord's code and HTTP status (see {@link communityErrors}). */
export class CommunityError extends Error {
  override readonly name: string = 'CommunityError';
  readonly kind: CommunityErrorKind;
  readonly code: number;
  readonly status: number;
  constructor(kind: CommunityErrorKind, options?: { cause?: unknown }) {
    const { code, status, message } = communityErrors[kind];
    super(message, options);
    this.kind = kind;
    this.code = code;
    this.status = status;
  }
}

/** Slowmode (`rate_limit_per_user`) refused a message: Discord's 429 with code 20016 and the seconds to wait. */
export class SlowmodeError extends CommunityError {
  override readonly name: string = 'SlowmodeError';
  /** Seconds until the user may post again. */
  readonly retryAfter: number;
  constructor(retryAfter: number, options?: { cause?: unknown }) {
    super('slowmode', options);
    this.retryAfter = retryAfter;
  }
}
