/** Discord's ISO 8601 form: microseconds and an explicit `+00:00` offset (`2026-12-04T03:44:57.310000+00:00`). */
const DISCORD_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
/** `Date.toISOString()`'s form, the one stores keep: rewritten without a parse (GUILD_CREATE formats one per member). */
const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The last string rewritten from the stores' form and its rewrite: an Identify formats its member's `joined_at` twice
 * (GUILD_CREATE's own `joined_at` and the member's), each a regex pair and a `Date.parse`.
 */
let lastText: string | undefined;
let lastForm = '';

/**
 * The one place timestamps are formatted. Discord sends `2026-12-04T03:44:57.310000+00:00`; `Date.toISOString()`
 * gives `…57.310Z`, which strict parsers (Java's `OffsetDateTime` patterns, serde formats) reject. A string already in
 * Discord's form is kept as is (it may carry microseconds a `Date` would drop); any other date string is parsed.
 */
export function discordTimestamp(value: Date | number | string): string {
  if (typeof value === 'string') {
    if (value === lastText) return lastForm;
    if (DISCORD_FORM.test(value)) return value;
    if (ISO_MS_Z.test(value) && Number.isFinite(Date.parse(value))) {
      lastForm = `${value.slice(0, 23)}000+00:00`;
      lastText = value;
      return lastForm;
    }
  }
  const date = value instanceof Date ? value : new Date(value);
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Not a timestamp: ${String(value).slice(0, 64)}`);
  // toISOString always ends in `.mmmZ` for years 0..9999; widen the fraction to microseconds.
  return `${date.toISOString().slice(0, 23)}000+00:00`;
}

/** {@link discordTimestamp} for fields that may be null (edited_timestamp, premium_since, …). */
export function discordTimestampOrNull(value: Date | number | string | null | undefined): string | null {
  return value === null || value === undefined ? null : discordTimestamp(value);
}
