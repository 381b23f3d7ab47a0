import { StoreClosedError } from '../errors/index.js';
import { compareEntityIds } from './compareEntityIds.js';
import type { EntityRecord, EntityStore, EntityUpdate } from './EntityStore.js';
import {
  checkEntityIds,
  checkEntityKey,
  checkUpdateFn,
  decodeEntityValue,
  type ParsedEntityListQuery,
  type ParsedEntityWrite,
  parseEntityListQuery,
  parseEntityUpdate,
  parseEntityWrites,
} from './entityValidation.js';

/** A stored record: the value is kept as its JSON text, so neither put nor get can hand out the stored object. */
interface Stored {
  partition: string;
  id: string;
  ref: string | null;
  json: string;
}

/** One partition of a kind: the records, and their ids kept sorted so a page is a binary search and a slice. */
interface Partition {
  records: Map<string, Stored>;
  sorted: string[];
}

/** First index whose element is not below `key` (with `strict`, not at or below it). */
function bound(sorted: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareEntityIds(sorted[mid]!, key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The page of an ascending array a parsed query selects; `keys[i]` is the cursor key of `items[i]`. */
function page<E>(items: readonly E[], keys: readonly string[], q: ParsedEntityListQuery): E[] {
  if (q.after !== undefined) {
    const start = bound(keys, q.after, true);
    return items.slice(start, start + q.limit);
  }
  if (q.before !== undefined) {
    const end = bound(keys, q.before, false);
    return items.slice(Math.max(0, end - q.limit), end);
  }
  return items.slice(0, q.limit);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/**
 * The default EntityStore: Maps in this process, nothing persisted. Every method runs synchronously to completion, so
 * `write` and `update` are atomic without locks; values are held as JSON text, so callers never share an object with
 * the store. Meant for tests, development and single-process deployments that can lose their data.
 */
export function createInMemoryEntityStore(): EntityStore {
  const kinds = new Map<string, Map<string, Partition>>();
  /** kind → id → partitions holding it, for find(). */
  const byId = new Map<string, Map<string, Set<string>>>();
  /** kind → ref → records with that ref, for listByRef(). */
  const byRef = new Map<string, Map<string, Set<Stored>>>();
  let closed = false;

  const open = () => {
    if (closed) throw new StoreClosedError();
  };

  const partitionOf = (kind: string, partition: string) => kinds.get(kind)?.get(partition);

  const record = <T>(kind: string, s: Stored): EntityRecord<T> => ({
    kind,
    partition: s.partition,
    id: s.id,
    ref: s.ref,
    value: decodeEntityValue<T>(s.json, `${kind}/${s.partition}/${s.id}`),
  });

  const unindex = (kind: string, s: Stored) => {
    const partitions = byId.get(kind)?.get(s.id);
    partitions?.delete(s.partition);
    if (partitions?.size === 0) byId.get(kind)!.delete(s.id);
    if (s.ref !== null) {
      const set = byRef.get(kind)?.get(s.ref);
      set?.delete(s);
      if (set?.size === 0) byRef.get(kind)!.delete(s.ref);
    }
  };

  const remove = (kind: string, partition: string, id: string): void => {
    const p = partitionOf(kind, partition);
    const s = p?.records.get(id);
    if (!p || !s) return;
    p.records.delete(id);
    p.sorted.splice(bound(p.sorted, id, false), 1);
    unindex(kind, s);
    if (p.records.size === 0) kinds.get(kind)!.delete(partition);
  };

  const put = (kind: string, partition: string, id: string, ref: string | null, json: string): void => {
    const p = getOrCreate(
      getOrCreate(kinds, kind, () => new Map()),
      partition,
      () => ({
        records: new Map(),
        sorted: [],
      }),
    );
    const previous = p.records.get(id);
    if (previous) unindex(kind, previous);
    else p.sorted.splice(bound(p.sorted, id, false), 0, id);
    const s: Stored = { partition, id, ref, json };
    p.records.set(id, s);
    getOrCreate(
      getOrCreate(byId, kind, () => new Map()),
      id,
      () => new Set(),
    ).add(partition);
    if (ref !== null)
      getOrCreate(
        getOrCreate(byRef, kind, () => new Map()),
        ref,
        () => new Set(),
      ).add(s);
  };

  const removePartition = (kind: string, partition: string): void => {
    const p = partitionOf(kind, partition);
    if (!p) return;
    for (const s of p.records.values()) unindex(kind, s);
    kinds.get(kind)!.delete(partition);
  };

  const apply = (w: ParsedEntityWrite): void => {
    if (w.op === 'put') put(w.kind, w.partition, w.id, w.ref, w.json);
    else if (w.op === 'delete') remove(w.kind, w.partition, w.id);
    else removePartition(w.kind, w.partition);
  };

  return {
    async get<T>(kind: string, partition: string, id: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      checkEntityKey(id, 'id');
      const s = partitionOf(kind, partition)?.records.get(id);
      return s ? record<T>(kind, s).value : null;
    },

    async getMany<T>(kind: string, partition: string, ids: readonly string[]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      const p = partitionOf(kind, partition);
      const out: EntityRecord<T>[] = [];
      for (const id of checkEntityIds(ids)) {
        const s = p?.records.get(id);
        if (s) out.push(record<T>(kind, s));
      }
      return out;
    },

    async find<T>(kind: string, id: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(id, 'id');
      const partitions = byId.get(kind)?.get(id);
      if (!partitions || partitions.size === 0) return null;
      // Ids are meant to be unique within a kind; if not, the lowest partition wins, as in the SQL adapters.
      const partition = [...partitions].sort(compareEntityIds)[0]!;
      return record<T>(kind, partitionOf(kind, partition)!.records.get(id)!);
    },

    async list<T>(kind: string, partition: string, query?: Parameters<EntityStore['list']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      const q = parseEntityListQuery(query);
      const p = partitionOf(kind, partition);
      if (!p) return [];
      return page(p.sorted, p.sorted, q).map((id) => record<T>(kind, p.records.get(id)!));
    },

    async listByRef<T>(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(ref, 'ref');
      const q = parseEntityListQuery(query);
      const entries = [...(byRef.get(kind)?.get(ref) ?? [])].sort(
        (a, b) => compareEntityIds(a.partition, b.partition) || compareEntityIds(a.id, b.id),
      );
      return page(
        entries,
        entries.map((e) => e.partition),
        q,
      ).map((e) => record<T>(kind, e));
    },

    async partitionsByRef(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(ref, 'ref');
      const q = parseEntityListQuery(query);
      const partitions = [...(byRef.get(kind)?.get(ref) ?? [])]
        .sort((a, b) => compareEntityIds(a.partition, b.partition) || compareEntityIds(a.id, b.id))
        .map((e) => e.partition);
      return page(partitions, partitions, q);
    },

    async count(kind: string, partition: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      return partitionOf(kind, partition)?.records.size ?? 0;
    },

    async write(writes) {
      open();
      // Validated (and encoded) in full first; applying a validated write cannot fail, so the batch is all or nothing.
      for (const w of parseEntityWrites(writes)) apply(w);
    },

    async update<T>(
      kind: string,
      partition: string,
      id: string,
      fn: (current: T | null) => EntityUpdate<T>,
    ): Promise<T | null> {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      checkEntityKey(id, 'id');
      checkUpdateFn(fn);
      const where = `${kind}/${partition}/${id}`;
      const current = partitionOf(kind, partition)?.records.get(id);
      // No await between the read and the write: nothing else runs in between, so the update is atomic.
      const answer = parseEntityUpdate(
        fn(current ? decodeEntityValue<T>(current.json, where) : null),
        current?.ref ?? null,
      );
      if (answer.action === 'leave') return current ? decodeEntityValue<T>(current.json, where) : null;
      if (answer.action === 'delete') {
        remove(kind, partition, id);
        return null;
      }
      put(kind, partition, id, answer.ref, answer.json);
      return decodeEntityValue<T>(answer.json, where);
    },

    async close() {
      closed = true;
    },
  };
}
