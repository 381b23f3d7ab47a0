/**
 * Compares two snowflakes given as decimal strings: by length first, then lexicographically — the numeric order for
 * canonical (no leading zero) decimals, without BigInt. Returns a negative number, 0 or a positive number.
 */
export function compareSnowflakes(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts items (e.g. messages merged from several shards, REST pages and a cache) by their snowflake `id`, oldest
 * first, and drops repeated ids (the last copy wins, as it is usually the freshest edit). Returns a new array.
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
  return list.sort((x, y) => sign * compareSnowflakes(x.id, y.id));
}

/**
 * Merges lists that are each already sorted ascending by `id` into one ascending list (k-way merge, O(n·k)),
 * dropping repeated ids. For merging live dispatches with history pages without re-sorting everything.
 */
export function mergeBySnowflake<T extends { id: string }>(...lists: readonly (readonly T[])[]): T[] {
  const cursors = lists.map(() => 0);
  const out: T[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const item = lists[i]?.[cursors[i] ?? 0];
      if (item === undefined) continue;
      const current = best === -1 ? undefined : lists[best]?.[cursors[best] ?? 0];
      if (current === undefined || compareSnowflakes(item.id, current.id) < 0) best = i;
    }
    if (best === -1) return out;
    const item = lists[best]?.[cursors[best] ?? 0] as T;
    cursors[best] = (cursors[best] ?? 0) + 1;
    const last = out[out.length - 1];
    if (last !== undefined && last.id === item.id) out[out.length - 1] = item;
    else out.push(item);
  }
}
