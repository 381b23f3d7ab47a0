import { compare } from './compare.js';

/**
 * Merges lists that are each already sorted ascending by `id` into one ascending list (k-way merge, O(n·k)),
 * dropping repeated ids (the last copy wins). For merging live dispatches with history pages without re-sorting.
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
      if (current === undefined || compare(item.id, current.id) < 0) best = i;
    }
    if (best === -1) return out;
    const item = lists[best]?.[cursors[best] ?? 0] as T;
    cursors[best] = (cursors[best] ?? 0) + 1;
    const last = out[out.length - 1];
    if (last !== undefined && last.id === item.id) out[out.length - 1] = item;
    else out.push(item);
  }
}
