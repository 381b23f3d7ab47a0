import type {
  EntityListQuery,
  EntityRecord,
  EntityStore,
  EntityUpdate,
  EntityWrite,
} from '@concord/storage-adapters/entities';
import type { EntityKind, EntityKinds } from './EntityKinds.js';

/**
 * The entity store with the community's kinds typed (EntityKinds.ts): the only place the services touch storage, so
 * what is stored under which key is decided here and in model/records.ts.
 */
export class CommunityRepository {
  constructor(readonly store: EntityStore) {}

  get<K extends EntityKind>(kind: K, partition: string, id: string): Promise<EntityKinds[K] | null> {
    return this.store.get<EntityKinds[K]>(kind, partition, id);
  }

  getMany<K extends EntityKind>(
    kind: K,
    partition: string,
    ids: readonly string[],
  ): Promise<EntityRecord<EntityKinds[K]>[]> {
    return this.store.getMany<EntityKinds[K]>(kind, partition, ids);
  }

  find<K extends EntityKind>(kind: K, id: string): Promise<EntityRecord<EntityKinds[K]> | null> {
    return this.store.find<EntityKinds[K]>(kind, id);
  }

  list<K extends EntityKind>(
    kind: K,
    partition: string,
    query?: EntityListQuery,
  ): Promise<EntityRecord<EntityKinds[K]>[]> {
    return this.store.list<EntityKinds[K]>(kind, partition, query);
  }

  /** Every record of a partition, page by page (a guild's roles, channels or members on load). */
  async all<K extends EntityKind>(kind: K, partition: string): Promise<EntityKinds[K][]> {
    const out: EntityKinds[K][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list<EntityKinds[K]>(
        kind,
        partition,
        after === undefined ? { limit: 1000 } : { after, limit: 1000 },
      );
      for (const record of page) out.push(record.value);
      if (page.length < 1000) return out;
      after = page[page.length - 1]?.id;
    }
  }

  /** Every record of a kind whose ref is `ref` (a user's memberships, a user's thread memberships). */
  async allByRef<K extends EntityKind>(kind: K, ref: string): Promise<EntityRecord<EntityKinds[K]>[]> {
    const out: EntityRecord<EntityKinds[K]>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listByRef<EntityKinds[K]>(
        kind,
        ref,
        after === undefined ? { limit: 1000 } : { after, limit: 1000 },
      );
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]?.partition;
    }
  }

  /**
   * The partitions of {@link allByRef}'s records (a user's guilds), without reading the records where the store can
   * (EntityStore.partitionsByRef: from an index alone on SQLite, on every Identify).
   */
  async partitionsByRef(kind: EntityKind, ref: string): Promise<string[]> {
    const { store } = this;
    if (!store.partitionsByRef) {
      const records = await this.allByRef(kind, ref);
      const out: string[] = [];
      for (let i = 0; i < records.length; i++) out.push(records[i]!.partition);
      return out;
    }
    const out: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.partitionsByRef(
        kind,
        ref,
        after === undefined ? { limit: 1000 } : { after, limit: 1000 },
      );
      for (let i = 0; i < page.length; i++) out.push(page[i]!);
      if (page.length < 1000) return out;
      after = page[page.length - 1];
    }
  }

  count(kind: EntityKind, partition: string): Promise<number> {
    return this.store.count(kind, partition);
  }

  update<K extends EntityKind>(
    kind: K,
    partition: string,
    id: string,
    fn: (current: EntityKinds[K] | null) => EntityUpdate<EntityKinds[K]>,
  ): Promise<EntityKinds[K] | null> {
    return this.store.update<EntityKinds[K]>(kind, partition, id, fn);
  }

  write(writes: readonly EntityWrite[]): Promise<void> {
    return this.store.write(writes);
  }
}

/** A put of a typed record, for {@link CommunityRepository.write}. */
export function put<K extends EntityKind>(
  kind: K,
  partition: string,
  id: string,
  value: EntityKinds[K],
  ref: string | null = null,
): EntityWrite {
  return { op: 'put', kind, partition, id, ref, value };
}

/** A delete, for {@link CommunityRepository.write}. */
export function remove(kind: EntityKind, partition: string, id: string): EntityWrite {
  return { op: 'delete', kind, partition, id };
}

/** Deletes a whole partition of a kind, for {@link CommunityRepository.write}. */
export function removeAll(kind: EntityKind, partition: string): EntityWrite {
  return { op: 'deletePartition', kind, partition };
}
