import type { Arbitrary } from 'fast-check';
import { expect } from 'vitest';
import { compareEntityIds } from '../entities/compareEntityIds.js';
import type { EntityListQuery, EntityRecord, EntityStore, EntityWrite } from '../entities/EntityStore.js';

// A model-based property: random sequences of operations run against the store and against a plain Map that
// implements the contract in the most obvious way; every answer must agree. Small key spaces (a few partitions, ids of
// different lengths, two refs) make the operations collide, which is where adapters go wrong.

const PARTITIONS = ['1', '2', '10', 'g'];
const IDS = ['1', '2', '9', '10', 'a', 'ab', '100'];
const REFS = [null, 'r1', 'r2'];

type Value = { n: number; tag?: string };
type ModelRecord = { partition: string; id: string; ref: string | null; value: Value };

type Op =
  | { t: 'write'; writes: EntityWrite[] }
  | { t: 'update'; partition: string; id: string; action: 'inc' | 'delete' | 'leave'; ref: string | null | undefined }
  | { t: 'get'; partition: string; id: string }
  | { t: 'getMany'; partition: string; ids: string[] }
  | { t: 'find'; id: string }
  | { t: 'list'; partition: string; query: EntityListQuery }
  | { t: 'listByRef'; ref: string; query: EntityListQuery }
  | { t: 'count'; partition: string };

/** fast-check's module, loaded when the property runs: importing `/conformance` must not require it. */
type FastCheck = typeof import('fast-check');

/** Random operations over the small key space. */
function operations(fc: FastCheck): Arbitrary<Op> {
  const partitionArb = fc.constantFrom(...PARTITIONS);
  const idArb = fc.constantFrom(...IDS);
  const refArb = fc.constantFrom(...REFS);
  const valueArb: Arbitrary<Value> = fc.record(
    { n: fc.integer({ min: -5, max: 5 }), tag: fc.string({ maxLength: 4 }) },
    {
      requiredKeys: ['n'],
    },
  );
  const queryArb = (cursors: string[]): Arbitrary<EntityListQuery> =>
    fc.oneof(
      fc.record({ limit: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ after: fc.constantFrom(...cursors), limit: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ before: fc.constantFrom(...cursors), limit: fc.integer({ min: 1, max: 4 }) }),
    );

  const writeArb: Arbitrary<EntityWrite> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('put' as const),
        partition: partitionArb,
        id: idArb,
        ref: refArb,
        value: valueArb,
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), partition: partitionArb, id: idArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('deletePartition' as const), partition: partitionArb }) },
  ) as Arbitrary<EntityWrite>;

  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('write' as const),
        writes: fc.array(writeArb, { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('update' as const),
        partition: partitionArb,
        id: idArb,
        action: fc.constantFrom('inc' as const, 'delete' as const, 'leave' as const),
        ref: fc.constantFrom(undefined, ...REFS),
      }),
    },
    fc.record({ t: fc.constant('get' as const), partition: partitionArb, id: idArb }),
    fc.record({ t: fc.constant('getMany' as const), partition: partitionArb, ids: fc.array(idArb, { maxLength: 4 }) }),
    fc.record({ t: fc.constant('find' as const), id: idArb }),
    fc.record({ t: fc.constant('list' as const), partition: partitionArb, query: queryArb(IDS) }),
    fc.record({ t: fc.constant('listByRef' as const), ref: fc.constantFrom('r1', 'r2'), query: queryArb(PARTITIONS) }),
    fc.record({ t: fc.constant('count' as const), partition: partitionArb }),
  );
}

/** The obvious implementation: every record in one Map, sorted on each read. */
class Model {
  private readonly records = new Map<string, ModelRecord>();

  private static key(partition: string, id: string) {
    return `${partition}\u0000${id}`;
  }

  public get(partition: string, id: string): ModelRecord | undefined {
    return this.records.get(Model.key(partition, id));
  }

  public put(r: ModelRecord): void {
    this.records.set(Model.key(r.partition, r.id), r);
  }

  public delete(partition: string, id: string): void {
    this.records.delete(Model.key(partition, id));
  }

  public apply(w: EntityWrite): void {
    // The contract stores what a JSON round trip keeps (fast-check's records may even lack a prototype).
    const value = JSON.parse(JSON.stringify(w.op === 'put' ? w.value : null)) as Value;
    if (w.op === 'put') this.put({ partition: w.partition, id: w.id, ref: w.ref ?? null, value });
    else if (w.op === 'delete') this.delete(w.partition, w.id);
    else for (const r of this.all()) if (r.partition === w.partition) this.delete(r.partition, r.id);
  }

  /** Every record, by partition then id. */
  public all(): ModelRecord[] {
    return [...this.records.values()].sort(
      (a, b) => compareEntityIds(a.partition, b.partition) || compareEntityIds(a.id, b.id),
    );
  }
}

/** The page a query selects from records already in ascending cursor order. */
function page<E>(items: E[], cursorOf: (e: E) => string, q: EntityListQuery): E[] {
  const limit = q.limit ?? 100;
  if (q.after !== undefined) return items.filter((e) => compareEntityIds(cursorOf(e), q.after!) > 0).slice(0, limit);
  if (q.before !== undefined) {
    const below = items.filter((e) => compareEntityIds(cursorOf(e), q.before!) < 0);
    return below.slice(Math.max(0, below.length - limit));
  }
  return items.slice(0, limit);
}

const toRecord =
  (kind: string) =>
  (r: ModelRecord): EntityRecord<Value> => ({ kind, ...r });

async function step(store: EntityStore, model: Model, kind: string, op: Op): Promise<void> {
  const rec = toRecord(kind);
  switch (op.t) {
    case 'write': {
      await store.write(op.writes.map((w) => ({ ...w, kind })));
      for (const w of op.writes) model.apply(w);
      return;
    }
    case 'update': {
      const result = await store.update<Value>(kind, op.partition, op.id, (current) => {
        if (op.action === 'leave') return undefined;
        if (op.action === 'delete') return null;
        const value = { n: (current?.n ?? 0) + 1 };
        return op.ref === undefined ? { value } : { value, ref: op.ref };
      });
      const current = model.get(op.partition, op.id);
      if (op.action === 'delete') model.delete(op.partition, op.id);
      if (op.action === 'inc') {
        const ref = op.ref === undefined ? (current?.ref ?? null) : op.ref;
        model.put({ partition: op.partition, id: op.id, ref, value: { n: (current?.value.n ?? 0) + 1 } });
      }
      expect(result).toStrictEqual(model.get(op.partition, op.id)?.value ?? null);
      return;
    }
    case 'get':
      expect(await store.get(kind, op.partition, op.id)).toStrictEqual(model.get(op.partition, op.id)?.value ?? null);
      return;
    case 'getMany': {
      const expected = op.ids.flatMap((id) => {
        const r = model.get(op.partition, id);
        return r ? [rec(r)] : [];
      });
      expect(await store.getMany(kind, op.partition, op.ids)).toStrictEqual(expected);
      return;
    }
    case 'find': {
      const found = model.all().find((r) => r.id === op.id);
      expect(await store.find(kind, op.id)).toStrictEqual(found ? rec(found) : null);
      return;
    }
    case 'list': {
      const expected = page(
        model.all().filter((r) => r.partition === op.partition),
        (r) => r.id,
        op.query,
      );
      expect(await store.list(kind, op.partition, op.query)).toStrictEqual(expected.map(rec));
      return;
    }
    case 'listByRef': {
      const expected = page(
        model.all().filter((r) => r.ref === op.ref),
        (r) => r.partition,
        op.query,
      );
      expect(await store.listByRef(kind, op.ref, op.query)).toStrictEqual(expected.map(rec));
      return;
    }
    case 'count':
      expect(await store.count(kind, op.partition)).toBe(
        model.all().filter((r) => r.partition === op.partition).length,
      );
      return;
  }
}

/**
 * Runs `runs` random sequences of up to `maxOps` operations, each under a kind of its own (`freshKind()`), against the
 * store and the model, failing (with fast-check's shrunk counterexample) on the first answer that differs.
 */
export async function checkEntityStoreAgainstModel(
  store: EntityStore,
  freshKind: () => string,
  options: { runs?: number; maxOps?: number; seed?: number } = {},
): Promise<void> {
  let fc: FastCheck;
  try {
    fc = await import('fast-check');
  } catch (err) {
    throw new Error('the EntityStore property needs fast-check (a dev dependency of the test suite)', { cause: err });
  }
  await fc.assert(
    fc.asyncProperty(fc.array(operations(fc), { minLength: 1, maxLength: options.maxOps ?? 20 }), async (ops) => {
      const kind = freshKind();
      const model = new Model();
      for (const op of ops) await step(store, model, kind, op);
    }),
    { numRuns: options.runs ?? 50, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
}
