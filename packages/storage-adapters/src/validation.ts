import { InvalidArgumentError } from './errors/index.js';
import { checkId, describe, parseId } from './ids.js';
import type { ListQuery, MessagePatch, NewMessage, StoredMessage } from './MessageStore.js';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;
/** Discord's limit for messages (Nitro); measured in code points. */
export const DEFAULT_MAX_CONTENT_LENGTH = 4000;
export const MAX_BULK_DELETE = 100;

export type Cursor =
  | { kind: 'latest' }
  | { kind: 'before'; id: bigint }
  | { kind: 'after'; id: bigint }
  | { kind: 'around'; id: bigint };

export interface ParsedListQuery {
  cursor: Cursor;
  limit: number;
  includeDeleted: boolean;
}

export function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIST_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LIST_LIMIT) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${describe(value)}`);
  }
  return value;
}

/** Validates an untrusted list query: at most one cursor, snowflake cursors, limit 1..100. */
export function parseListQuery(query: ListQuery | undefined): ParsedListQuery {
  if (query !== undefined && (query === null || typeof query !== 'object')) {
    throw new InvalidArgumentError('list query must be an object');
  }
  const q = query ?? {};
  const given = (['before', 'after', 'around'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) {
    throw new InvalidArgumentError(`only one of before, after, around may be given (got ${given.join(', ')})`);
  }
  const limit = parseLimit(q.limit);
  if (q.includeDeleted !== undefined && typeof q.includeDeleted !== 'boolean') {
    throw new InvalidArgumentError('includeDeleted must be a boolean');
  }
  const includeDeleted = q.includeDeleted === true;
  const kind = given[0];
  if (kind === undefined) return { cursor: { kind: 'latest' }, limit, includeDeleted };
  return { cursor: { kind, id: parseId(q[kind], kind) }, limit, includeDeleted };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type WellFormed = { isWellFormed?: () => boolean };
/** String.prototype.isWellFormed (Node 20+) is several times faster than the regex fallback. */
function isWellFormed(s: string): boolean {
  const native = (s as unknown as WellFormed).isWellFormed;
  return native ? native.call(s) : !LONE_SURROGATE.test(s);
}

function checkContent(content: unknown, maxLength: number): string {
  if (typeof content !== 'string') throw new InvalidArgumentError('content must be a string');
  // Lone surrogates cannot be encoded as UTF-8 and would come back changed; NUL is rejected by PostgreSQL text.
  if (!isWellFormed(content)) throw new InvalidArgumentError('content contains a lone surrogate');
  if (content.includes('\u0000')) throw new InvalidArgumentError('content contains a NUL character');
  if (content.length > maxLength) {
    // Cheap check first: code points <= UTF-16 units.
    let points = 0;
    for (const _ of content) if (++points > maxLength) break;
    if (points > maxLength) throw new InvalidArgumentError(`content is longer than ${maxLength} characters`);
  }
  return content;
}

function checkInt(value: unknown, what: string, min = 0, max = 2 ** 53 - 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function checkExtra(extra: unknown): Record<string, unknown> | null {
  if (extra === null) return null;
  if (typeof extra !== 'object' || Array.isArray(extra)) {
    throw new InvalidArgumentError('extra must be a plain object or null');
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(extra);
  } catch (err) {
    throw new InvalidArgumentError('extra must be JSON-serializable', { cause: err });
  }
  if (json === undefined) throw new InvalidArgumentError('extra must be JSON-serializable');
  if (json.includes('\\u0000')) throw new InvalidArgumentError('extra contains a NUL character');
  // Round-trip so what is returned is exactly what any adapter will give back after JSON storage.
  return JSON.parse(json) as Record<string, unknown>;
}

export interface ValidationOptions {
  maxContentLength?: number;
}

/** Validates untrusted input and returns a normalized copy (the caller's object is never kept). */
// The channel, guild and author of consecutive messages repeat: a string already found valid need not be scanned again.
let validChannel: unknown;
let validGuild: unknown;
let validAuthor: unknown;

export function validateNewMessage(message: NewMessage, options: ValidationOptions = {}): StoredMessage {
  if (message === null || typeof message !== 'object') throw new InvalidArgumentError('message must be an object');
  checkId(message.id, 'id');
  const { channelId, authorId, guildId } = message;
  if (channelId !== validChannel) {
    checkId(channelId, 'channelId');
    validChannel = channelId;
  }
  if (authorId !== validAuthor) {
    checkId(authorId, 'authorId');
    validAuthor = authorId;
  }
  if (guildId !== null && guildId !== validGuild) {
    checkId(guildId, 'guildId');
    validGuild = guildId;
  }
  if (message.pinned !== undefined && typeof message.pinned !== 'boolean') {
    throw new InvalidArgumentError('pinned must be a boolean');
  }
  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    authorId: message.authorId,
    content: checkContent(message.content, options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH),
    type: checkInt(message.type, 'type', 0, 255),
    flags: checkInt(message.flags, 'flags'),
    editedAt: null,
    deleted: false,
    pinned: message.pinned ?? false,
    extra: checkExtra(message.extra ?? null),
  };
}

/** Validates a full row given to putRaw (backfill). */
export function validateStoredMessage(message: StoredMessage, options: ValidationOptions = {}): StoredMessage {
  const base = validateNewMessage(message, options);
  if (typeof message.deleted !== 'boolean') throw new InvalidArgumentError('deleted must be a boolean');
  return {
    ...base,
    editedAt: message.editedAt === null ? null : checkInt(message.editedAt, 'editedAt'),
    deleted: message.deleted,
  };
}

/** Validates a patch; returns the normalized patch and whether it changes what users see as "edited". */
export function validatePatch(patch: MessagePatch, options: ValidationOptions = {}): MessagePatch {
  if (patch === null || typeof patch !== 'object') throw new InvalidArgumentError('patch must be an object');
  const out: MessagePatch = {};
  if (patch.content !== undefined) {
    out.content = checkContent(patch.content, options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH);
  }
  if (patch.flags !== undefined) out.flags = checkInt(patch.flags, 'flags');
  if (patch.extra !== undefined) out.extra = checkExtra(patch.extra);
  if (patch.pinned !== undefined) {
    if (typeof patch.pinned !== 'boolean') throw new InvalidArgumentError('pinned must be a boolean');
    out.pinned = patch.pinned;
  }
  if (patch.editedAt !== undefined) out.editedAt = checkInt(patch.editedAt, 'editedAt');
  return out;
}

/**
 * Applies a validated patch to a live row. Pinning alone is not an edit (Discord does not set edited_timestamp for it);
 * any change of content, flags or extra sets editedAt (patch.editedAt or now).
 */
export function applyPatch(row: StoredMessage, patch: MessagePatch, now: number = Date.now()): StoredMessage {
  const next: StoredMessage = { ...row };
  if (patch.content !== undefined) next.content = patch.content;
  if (patch.flags !== undefined) next.flags = patch.flags;
  if (patch.extra !== undefined) next.extra = patch.extra;
  if (patch.pinned !== undefined) next.pinned = patch.pinned;
  const edited = patch.content !== undefined || patch.flags !== undefined || patch.extra !== undefined;
  if (patch.editedAt !== undefined) next.editedAt = patch.editedAt;
  else if (edited) next.editedAt = now;
  return next;
}

/** A tombstone keeps identity, author, type and timestamps; content, extra and pin are cleared. */
export function toTombstone(row: StoredMessage): StoredMessage {
  return { ...row, content: '', extra: null, pinned: false, deleted: true };
}

/** Validates bulk delete ids: at most 100, each a snowflake; duplicates collapse. */
export function parseBulkIds(messageIds: unknown): string[] {
  if (!Array.isArray(messageIds)) throw new InvalidArgumentError('messageIds must be an array');
  if (messageIds.length > MAX_BULK_DELETE) {
    throw new InvalidArgumentError(`at most ${MAX_BULK_DELETE} messages may be bulk deleted at once`);
  }
  for (const id of messageIds) parseId(id, 'messageId');
  return [...new Set(messageIds as string[])];
}

/** Validates listBucket arguments (bucket a non-negative integer, limit a positive integer when given). */
export function checkBucketArgs(bucket: unknown, limit: unknown): void {
  if (typeof bucket !== 'number' || !Number.isSafeInteger(bucket) || bucket < 0) {
    throw new InvalidArgumentError(`bucket must be a non-negative integer, got ${describe(bucket)}`);
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`limit must be a positive integer, got ${describe(limit)}`);
  }
}
