import { isSnowflake } from '@concord/snowflake';
import { invalidFormBody, notSnowflake } from '../errors/invalidFormBody.js';

/** A snowflake query parameter, or undefined when absent; 50035 NUMBER_TYPE_COERCE when malformed. */
export function snowflakeParam(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (!isSnowflake(v)) throw notSnowflake(name, v);
  return v;
}

/** An integer query parameter in [min, max], in plain decimal digits, or `fallback` when absent. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number;
export function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined;
export function intParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  const v = query.get(name);
  if (v === null) return fallback;
  if (!/^\d{1,10}$/.test(v)) {
    throw invalidFormBody([name], 'NUMBER_TYPE_COERCE', `Value "${v.slice(0, 64)}" is not int.`);
  }
  const n = Number(v);
  if (n < min) throw invalidFormBody([name], 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`);
  if (n > max) throw invalidFormBody([name], 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`);
  return n;
}

/** A boolean query parameter (`true`/`false`, `1`/`0`, as Discord accepts), or undefined when absent. */
export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (v === 'true' || v === 'True' || v === '1') return true;
  if (v === 'false' || v === 'False' || v === '0') return false;
  throw invalidFormBody([name], 'BOOLEAN_TYPE_COERCE', `Value "${v.slice(0, 64)}" is not a boolean.`);
}

/** At most one of `before` / `after` / `around` (Discord uses the first it understands; ambiguity is refused here). */
export function oneCursor(query: URLSearchParams, names: readonly string[]): void {
  const present = names.filter((k) => query.has(k));
  if (present.length > 1) {
    throw invalidFormBody([present[1]!], 'BASE_TYPE_BAD_TYPE', `Only one of ${names.join(', ')}.`);
  }
}
