import { CorruptDataError, InvalidArgumentError } from '../errors/index.js';
import { describe } from '../ids.js';
import {
  DEFAULT_ENTITY_LIST_LIMIT,
  type EntityListQuery,
  type EntityUpdate,
  type EntityWrite,
  MAX_ENTITY_KEY_LENGTH,
  MAX_ENTITY_LIST_LIMIT,
} from './EntityStore.js';

// The argument checks every EntityStore adapter applies, so that all of them accept and refuse exactly the same input
// (the conformance suite holds them to it). Everything is checked before anything is written: a batch with one bad
// write leaves the store untouched.

/** NUL or a lone surrogate: PostgreSQL text and UTF-8 cannot hold them, so no adapter accepts them. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * The same two, as JSON.stringify writes them inside a JSON text: `\u0000` or an escaped (hence lone) surrogate,
 * preceded by an even number of backslashes (an odd number means the backslash itself was escaped).
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

/** A valid kind, partition, id, ref or cursor: a non-empty string of at most MAX_ENTITY_KEY_LENGTH storable chars. */
export function checkEntityKey(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ENTITY_KEY_LENGTH) {
    throw new InvalidArgumentError(
      `${name} must be a non-empty string of at most ${MAX_ENTITY_KEY_LENGTH} characters, got ${describe(value)}`,
    );
  }
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
    throw new InvalidArgumentError(`${name} must not contain NUL or a lone surrogate, got ${describe(value)}`);
  }
  return value;
}

/** A ref: a key string, or null for none. */
export function checkEntityRef(value: unknown): string | null {
  return value === null ? null : checkEntityKey(value, 'ref');
}

/**
 * The value's JSON text, which is what adapters store: encoding once both validates the value and copies it (nothing
 * the caller does to its object afterwards reaches the store). Refuses what JSON cannot carry (a bigint, a cycle, a
 * top-level undefined or function) and strings no adapter can store (NUL, lone surrogates).
 */
export function encodeEntityValue(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new InvalidArgumentError(`value is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw new InvalidArgumentError(`value is not JSON-serialisable: ${describe(value)}`);
  if (UNSTORABLE_ESCAPE.test(json)) {
    throw new InvalidArgumentError('value must not contain strings with NUL or a lone surrogate');
  }
  return json;
}

/** Parses a stored JSON text; a text that does not parse was damaged in storage. */
export function decodeEntityValue<T>(json: string, where: string): T {
  try {
    return JSON.parse(json) as T;
  } catch (err) {
    throw new CorruptDataError(`entity ${where} holds a value that is not JSON`, { cause: err });
  }
}

export interface ParsedEntityListQuery {
  after: string | undefined;
  before: string | undefined;
  limit: number;
}

/** Validates a list query: at most one cursor, cursors are key strings, limit an integer 1..MAX_ENTITY_LIST_LIMIT. */
export function parseEntityListQuery(query: EntityListQuery | undefined): ParsedEntityListQuery {
  if (query !== undefined && (query === null || typeof query !== 'object')) {
    throw new InvalidArgumentError('list query must be an object');
  }
  const { after, before, limit } = query ?? {};
  if (after !== undefined && before !== undefined) {
    throw new InvalidArgumentError('only one of after, before may be given');
  }
  if (
    limit !== undefined &&
    (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_ENTITY_LIST_LIMIT)
  ) {
    throw new InvalidArgumentError(
      `limit must be an integer from 1 to ${MAX_ENTITY_LIST_LIMIT}, got ${describe(limit)}`,
    );
  }
  return {
    after: after === undefined ? undefined : checkEntityKey(after, 'after'),
    before: before === undefined ? undefined : checkEntityKey(before, 'before'),
    limit: limit ?? DEFAULT_ENTITY_LIST_LIMIT,
  };
}

/** The ids of a getMany, each checked. */
export function checkEntityIds(ids: unknown): readonly string[] {
  if (!Array.isArray(ids)) throw new InvalidArgumentError(`ids must be an array, got ${describe(ids)}`);
  for (const id of ids) checkEntityKey(id, 'id');
  return ids as string[];
}

/** A validated write: keys checked, a put's value already encoded to its JSON text and its ref resolved. */
export type ParsedEntityWrite =
  | { op: 'put'; kind: string; partition: string; id: string; ref: string | null; json: string }
  | { op: 'delete'; kind: string; partition: string; id: string }
  | { op: 'deletePartition'; kind: string; partition: string };

/** Validates a whole batch before any of it is applied. A put without `ref` stores null. */
export function parseEntityWrites(writes: readonly EntityWrite[]): ParsedEntityWrite[] {
  if (!Array.isArray(writes)) throw new InvalidArgumentError(`writes must be an array, got ${describe(writes)}`);
  return writes.map((w: EntityWrite, i): ParsedEntityWrite => {
    if (w === null || typeof w !== 'object') throw new InvalidArgumentError(`writes[${i}] must be an object`);
    const kind = checkEntityKey(w.kind, `writes[${i}].kind`);
    const partition = checkEntityKey(w.partition, `writes[${i}].partition`);
    switch (w.op) {
      case 'put':
        return {
          op: 'put',
          kind,
          partition,
          id: checkEntityKey(w.id, `writes[${i}].id`),
          ref: w.ref === undefined ? null : checkEntityRef(w.ref),
          json: encodeEntityValue(w.value),
        };
      case 'delete':
        return { op: 'delete', kind, partition, id: checkEntityKey(w.id, `writes[${i}].id`) };
      case 'deletePartition':
        return { op: 'deletePartition', kind, partition };
      default:
        throw new InvalidArgumentError(`writes[${i}].op must be put, delete or deletePartition`);
    }
  });
}

/** What an update callback asked for, validated: store this JSON with this ref, delete, or leave. */
export type ParsedEntityUpdate =
  | { action: 'put'; json: string; ref: string | null }
  | { action: 'delete' }
  | { action: 'leave' };

/** Validates an update callback's answer; a put without `ref` keeps `currentRef` (null when the record is absent). */
export function parseEntityUpdate(answer: EntityUpdate<unknown>, currentRef: string | null): ParsedEntityUpdate {
  if (answer === undefined) return { action: 'leave' };
  if (answer === null) return { action: 'delete' };
  if (typeof answer !== 'object' || !Object.hasOwn(answer, 'value')) {
    throw new InvalidArgumentError(
      `an update callback must return { value, ref? }, null or undefined, got ${describe(answer)}`,
    );
  }
  return {
    action: 'put',
    json: encodeEntityValue(answer.value),
    ref: answer.ref === undefined ? currentRef : checkEntityRef(answer.ref),
  };
}

/** Checks that `fn` of an update is a function (a missing callback would otherwise fail inside a transaction). */
export function checkUpdateFn(fn: unknown): void {
  if (typeof fn !== 'function') throw new InvalidArgumentError(`update needs a function, got ${describe(fn)}`);
}
