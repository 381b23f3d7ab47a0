import { MAX_ENTITY_KEY_LENGTH } from './EntityStore.js';

const LENGTH_DIGITS = String(MAX_ENTITY_KEY_LENGTH).length;

/**
 * A string whose byte order (UTF-8, as SQLite's BINARY and PostgreSQL's COLLATE "C" compare) is the order of
 * `compareEntityIds`: the length, zero-padded to a fixed width, then the id. SQL adapters store it next to the id
 * and sort and page by it, so the database does the snowflake ordering with a plain index.
 */
export function entitySortKey(id: string): string {
  return String(id.length).padStart(LENGTH_DIGITS, '0') + id;
}
