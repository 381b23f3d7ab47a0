/**
 * Discord's "Unknown …" JSON error codes (HTTP 404): the resource does not exist, or the caller may not know it does.
 * A REST server answers `{ code, message }` with them as they are.
 */
export const unknownEntityCodes = {
  account: 10001,
  application: 10002,
  channel: 10003,
  guild: 10004,
  invite: 10006,
  member: 10007,
  message: 10008,
  overwrite: 10009,
  role: 10011,
  user: 10013,
  emoji: 10014,
  ban: 10026,
  reaction: 10014,
  webhook: 10015,
  interaction: 10062,
  command: 10063,
  commandPermissions: 10066,
} as const satisfies Record<string, number>;

export type UnknownEntity = keyof typeof unknownEntityCodes;

const messages: Record<UnknownEntity, string> = {
  account: 'Unknown Account',
  application: 'Unknown Application',
  channel: 'Unknown Channel',
  guild: 'Unknown Guild',
  invite: 'Unknown Invite',
  member: 'Unknown Member',
  message: 'Unknown Message',
  overwrite: 'Unknown Overwrite',
  role: 'Unknown Role',
  user: 'Unknown User',
  emoji: 'Unknown Emoji',
  ban: 'Unknown Ban',
  reaction: 'Unknown Emoji',
  webhook: 'Unknown Webhook',
  interaction: 'Unknown interaction',
  command: 'Unknown application command',
  commandPermissions: 'Unknown application command permissions',
};

/** A referenced guild, channel, role, member, … does not exist (Discord's 100xx codes). */
export class UnknownEntityError extends Error {
  override readonly name: string = 'UnknownEntityError';
  readonly code: number;
  readonly entity: UnknownEntity;
  constructor(entity: UnknownEntity, options?: { cause?: unknown }) {
    super(messages[entity], options);
    this.entity = entity;
    this.code = unknownEntityCodes[entity];
  }
}
