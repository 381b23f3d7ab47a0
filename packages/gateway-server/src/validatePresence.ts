import { PresenceError, type PresenceErrorCode } from './PresenceError.js';
import { readSnowflake } from './readSnowflake.js';
import type { ActivityData, PresenceStatus } from './types.js';

/** A Gateway Presence Update (op 3 `d`, Identify `presence`) after validation: only the fields the server keeps. */
export interface ValidPresence {
  status: PresenceStatus;
  activities: ActivityData[];
  since: number | null;
  afk: boolean;
}

export type ValidatePresenceResult = { ok: true; presence: ValidPresence } | { ok: false; error: PresenceError };

/** Activities per presence: official clients show a handful (custom status, a game, music); bots set one. */
export const MAX_ACTIVITIES = 5;
/**
 * Deepest nesting of objects/arrays the schema has: presence → activities → activity → party → size. Anything deeper
 * can only sit under a key the schema does not know, and is refused whole rather than walked.
 */
export const MAX_PRESENCE_DEPTH = 5;

const STATUSES: ReadonlySet<string> = new Set<PresenceStatus>(['online', 'idle', 'dnd', 'invisible', 'offline']);

// Field rules of the activity object (Discord's "Activity Structure"), limited to what a client may set. Lengths are
// Discord's where it documents them (name/state/details 128, url 512), generous elsewhere.
type Rule = (value: unknown) => unknown | typeof INVALID;
const INVALID: unique symbol = Symbol('invalid');

const text =
  (max: number, nullable = true): Rule =>
  (v) =>
    typeof v === 'string' ? (v.length <= max ? v : INVALID) : nullable && v === null ? null : INVALID;
const integer =
  (min: number, max: number): Rule =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : INVALID;
const boolean: Rule = (v) => (typeof v === 'boolean' ? v : INVALID);
const snowflake =
  (nullable: boolean): Rule =>
  (v) =>
    // Integers too (discord.py sends activity ids as numbers), always rebuilt as the decimal string.
    readSnowflake(v) ?? (nullable && v === null ? null : INVALID);
/**
 * Unix time in ms. ETF clients (JDA) send values above 2^31 as big integers, which our ETF decoder gives as decimal
 * strings: those are accepted when they are exact integers.
 */
const timestamp: Rule = (v) => {
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : INVALID;
};

/** An object with exactly these optional fields; unknown keys are left behind. */
function record(fields: Record<string, Rule>): Rule {
  return (v) => {
    if (!isPlainObject(v)) return INVALID;
    return pick(v, fields);
  };
}

const pair: Rule = (v) => {
  if (!Array.isArray(v) || v.length !== 2) return INVALID;
  const [a, b] = v as unknown[];
  const count = integer(0, 1_000_000);
  return count(a) === INVALID || count(b) === INVALID ? INVALID : [a, b];
};

const buttons: Rule = (v) => {
  if (!Array.isArray(v) || v.length > 2) return INVALID;
  const label = text(32, false);
  return v.some((b) => label(b) === INVALID) ? INVALID : [...(v as string[])];
};

const ACTIVITY: Record<string, Rule> = {
  name: text(128, false),
  // 0 Playing, 1 Streaming, 2 Listening, 3 Watching, 4 Custom, 5 Competing, 6 Hang.
  type: integer(0, 6),
  url: text(512),
  state: text(128),
  details: text(128),
  application_id: snowflake(false),
  timestamps: record({ start: timestamp, end: timestamp }),
  emoji: record({ name: text(64, false), id: snowflake(true), animated: boolean }),
  party: record({ id: text(128, false), size: pair }),
  assets: record({ large_image: text(256), large_text: text(128), small_image: text(256), small_text: text(128) }),
  buttons,
  instance: boolean,
  flags: integer(0, 0x7fff_ffff),
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copies the known fields that are present, checked; returns INVALID on the first bad one. Reads by field name only
 * (never iterates the input's keys), so `__proto__` and other unknown keys are never copied.
 */
function pick(source: Record<string, unknown>, fields: Record<string, Rule>): Record<string, unknown> | typeof INVALID {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value === undefined) continue;
    const checked = fields[key]!(value);
    if (checked === INVALID) return INVALID;
    out[key] = checked;
  }
  return out;
}

/** True when objects/arrays nest deeper than `max` (the value itself counts as 1). Iterative, stops at the first. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function fail(code: PresenceErrorCode, message: string): ValidatePresenceResult {
  return { ok: false, error: new PresenceError(code, message) };
}

/**
 * Validates a client-supplied presence (Gateway Presence Update: `since`, `activities`, `status`, `afk`) against
 * Discord's shape. Never throws. The result is built from the checked fields only: unknown keys (including
 * `__proto__`) are dropped, not relayed; a value of the wrong type or length, an unknown status or activity type, more
 * than {@link MAX_ACTIVITIES} activities, or nesting deeper than the schema is an error (the server closes with 4002,
 * as Discord does for an invalid payload).
 */
export function validatePresence(d: unknown): ValidatePresenceResult {
  if (!isPlainObject(d)) return fail('NOT_AN_OBJECT', 'presence must be an object');
  if (nestsDeeperThan(d, MAX_PRESENCE_DEPTH)) return fail('TOO_DEEP', 'presence nests deeper than its schema');
  if (typeof d.status !== 'string' || !STATUSES.has(d.status)) return fail('INVALID_STATUS', 'invalid status');
  // Discord ignores a `since` it cannot read (serenity 0.12 sends `{secs_since_epoch, nanos_since_epoch}`): so do we.
  const sinceValue = d.since === undefined || d.since === null ? INVALID : timestamp(d.since);
  const since = sinceValue === INVALID ? null : (sinceValue as number);
  const afk = d.afk ?? false;
  if (typeof afk !== 'boolean') return fail('INVALID_AFK', 'afk must be a boolean');
  const raw = d.activities ?? [];
  if (!Array.isArray(raw)) return fail('INVALID_ACTIVITIES', 'activities must be an array');
  if (raw.length > MAX_ACTIVITIES) return fail('TOO_MANY_ACTIVITIES', `at most ${MAX_ACTIVITIES} activities`);
  const activities: ActivityData[] = [];
  for (const item of raw) {
    if (!isPlainObject(item)) return fail('INVALID_ACTIVITY', 'an activity must be an object');
    const activity = pick(item, ACTIVITY);
    if (activity === INVALID || activity.name === undefined || activity.type === undefined) {
      return fail('INVALID_ACTIVITY', 'invalid activity');
    }
    activities.push(activity as ActivityData);
  }
  return {
    ok: true,
    presence: { status: d.status as PresenceStatus, activities, since, afk },
  };
}
