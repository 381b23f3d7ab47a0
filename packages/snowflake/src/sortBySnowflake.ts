import { compare } from './compare.js';

/**
 * Sorts items (e.g. messages merged from several shards, REST pages and a cache) by their snowflake `id`, oldest
 * first, and drops repeated ids (the last copy wins, as it is usually the freshest edit). Returns a new array.
 * Ids are validated by {@link compare}: a malformed id throws InvalidSnowflakeError instead of sorting anywhere.
 */
export function sortBySnowflake<T extends { id: string }>(
  items: Iterable<T>,
  options: { order?: 'asc' | 'desc'; dedupe?: boolean } = {},
): T[] {
  const dedupe = options.dedupe ?? true;
  let list: T[];
  if (dedupe) {
    const byId = new Map<string, T>();
    for (const item of items) byId.set(item.id, item);
    list = [...byId.values()];
  } else {
    list = [...items];
  }
  const sign = options.order === 'desc' ? -1 : 1;
  return list.sort((x, y) => sign * compare(x.id, y.id));
}
