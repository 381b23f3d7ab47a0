/**
 * Readers for the loosely typed input objects (the `…Data` shapes of src/types.ts carry index signatures): each takes
 * the field when it has the right type and the Discord default otherwise, so a serializer never emits `undefined` or a
 * wrongly typed value.
 */

export function str<T extends string>(value: unknown, fallback: T): string {
  return typeof value === 'string' ? value : fallback;
}

export function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** The array, or one shared frozen empty array: serialized objects are never mutated, and a session keeps ~10 of these. */
export function arr<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : (NO_ITEMS as T[]);
}

const NO_ITEMS: unknown[] = Object.freeze([]) as unknown as unknown[];

/**
 * The defined fields of `input` that are not in `known`: what an integrator added beyond the fields a serializer
 * writes travels through (src/types.ts promises it), minus `undefined`, which no encoding can carry faithfully.
 */
export function extras(input: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in input) {
    if (known.has(key)) continue;
    const value = input[key];
    if (value === undefined) continue;
    out ??= {};
    out[key] = value;
  }
  return out ?? EMPTY;
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * `out` after the `extras` of its input (their keys first, as `{ ...extras, …fields }` puts them). Without extras (the
 * usual case) `out` itself: a literal keeps every field inside the object, where the spread form made an empty object
 * and added each field to it, most of them to a separate property array (~25 % larger, and an allocation more, for
 * objects such as the members and users a server keeps serialized).
 */
export function afterExtras<T extends object>(added: Record<string, unknown>, out: T): T {
  return added === EMPTY ? out : { ...added, ...out };
}
