import { quoteUnsafeIntegers } from '@concord/protocol/json';
import { restErrors } from '../errors/restErrors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// JSON.parse makes `__proto__` an own key, harmless until something Object.assigns the body: dropped here once.
const dropProtoKeys = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);

/**
 * Whether the text may hold a `__proto__` key: spelled out, or with `\u` escapes (the only escapes that can make its
 * letters and underscores). Only then is the body parsed with {@link dropProtoKeys}: a reviver makes JSON.parse call
 * back for every value, and a message POST is on the way to its first delivery (issue #19).
 */
const mayHoldProtoKey = (text: string) => text.includes('__proto__') || text.includes('\\u');

/**
 * A JSON body (already capped at the size limit by Fastify's `bodyLimit`): `{}` when empty, Discord's 50109 for bytes
 * that are not JSON (invalid UTF-8 included). Ids sent as JSON numbers (discord.py does) stay exact beyond 2^53: such
 * integers become decimal strings. V8's JSON.parse is iterative, so nesting as deep as the cap allows costs time
 * linear in the size, not stack.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw Object.assign(restErrors.invalidJson(), { cause });
  }
  if (text.trim() === '') return {};
  try {
    const json = quoteUnsafeIntegers(text);
    return mayHoldProtoKey(json) ? JSON.parse(json, dropProtoKeys) : JSON.parse(json);
  } catch {
    throw restErrors.invalidJson();
  }
}
