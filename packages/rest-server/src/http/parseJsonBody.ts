import { quoteUnsafeIntegers } from '@concord/protocol/json';
import { restErrors } from '../errors/restErrors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// JSON.parse makes `__proto__` an own key, harmless until something Object.assigns the body: dropped here once.
const dropProtoKeys = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);

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
    return JSON.parse(quoteUnsafeIntegers(text), dropProtoKeys);
  } catch {
    throw restErrors.invalidJson();
  }
}
