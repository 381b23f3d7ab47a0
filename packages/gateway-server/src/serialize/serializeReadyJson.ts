import { nestsDeeper } from '@concord/protocol/json';
import { jsonString } from './jsonString.js';
import type { ReadyInput } from './serializeReady.js';
import { serializeCurrentUser } from './serializeUser.js';

/**
 * The deepest a user or application object may nest for its text to be spliced here: READY's `d` is checked to 64
 * levels when encoded as an object (protocol's `encodeJson`), and these sit one level inside it.
 */
const NESTED_LIMIT = 63;

/** The fields after `application`, the same for every READY (serializeReady.ts's order). */
const READY_TAIL =
  ',"session_type":"normal","private_channels":[],"presences":[],"relationships":[],"guild_join_requests":[],' +
  '"geo_ordered_rtc_regions":[],"user_settings":{}';

/**
 * READY's `d` as JSON text, the same bytes as `JSON.stringify(serializeReady(input))` (issue #19, Identify): only the
 * user and the application are stringified as objects; the rest is written around them, without building READY's
 * object (~20 fields and arrays per Identify) and walking it again for the encoder's depth check. Null when either
 * part cannot be written this way (a bigint, a cycle, nesting past the encoder's limit): then the object path encodes
 * it and reports the failure as it always did.
 */
export function serializeReadyJson(input: ReadyInput): string | null {
  const user = serializeCurrentUser(input.user);
  const application = input.application;
  let userJson: string;
  let applicationJson: string | null;
  try {
    userJson = JSON.stringify(user);
    applicationJson = applicationText(application);
  } catch {
    return null;
  }
  if (applicationJson === null || nestsDeeper(user, NESTED_LIMIT) || nestsDeeper(application, NESTED_LIMIT)) {
    return null;
  }
  // The scalars written as JSON here, not each stringified by a call of its own (the same text: jsonString.ts).
  let guilds = '[';
  const ids = input.guildIds;
  for (let i = 0; i < ids.length; i++) {
    guilds += `${i === 0 ? '' : ','}{"id":${jsonString(ids[i]!)},"unavailable":true}`;
  }
  guilds += ']';
  const s = input.shard;
  const shard =
    s === undefined
      ? ''
      : `,"shard":${s.length === 2 ? `[${jsonNumber(s[0])},${jsonNumber(s[1])}]` : JSON.stringify(s)}`;
  return (
    `{"v":${jsonNumber(input.v)},"user":${userJson},"guilds":${guilds},` +
    `"session_id":${jsonString(input.sessionId)},"resume_gateway_url":${jsonString(input.resumeGatewayUrl)},` +
    `"application":${applicationJson}${READY_TAIL}${shard}}`
  );
}

/** `JSON.stringify` of a number. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * `JSON.stringify({ ...application, flags_new: String(application.flags) })` without the copy: the application's own
 * text with `flags_new` written before its closing brace, where the spread puts it. Null where that would not be the
 * same bytes (a `flags_new` of its own keeps its place in the spread; a `toJSON` answers for the object; an empty
 * text has no field to follow).
 */
function applicationText(application: ReadyInput['application']): string | null {
  if ('flags_new' in application || 'toJSON' in application) return null;
  const text = JSON.stringify(application);
  if (text.length < 3 || text.charCodeAt(text.length - 1) !== 0x7d) return null;
  return `${text.slice(0, -1)},"flags_new":${JSON.stringify(String(application.flags))}}`;
}
