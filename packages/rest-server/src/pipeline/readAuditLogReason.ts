import { invalidFormBody } from '../errors/invalidFormBody.js';

/**
 * `X-Audit-Log-Reason`, as discord.js sends it: URL-encoded UTF-8. Decoded once; a malformed encoding, a control
 * character or more than `max` characters is a 50035 naming the header, so a reason never reaches a service unchecked.
 */
export function readAuditLogReason(header: string | string[] | undefined, max: number): string | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === '') return undefined;
  // Encoded, the longest legal reason is 512 characters × 12 bytes (`%XX` for each of 4 UTF-8 bytes, doubled for
  // surrogate pairs): a longer header is refused before decoding.
  if (raw.length > max * 12) throw tooLong(max);
  let reason: string;
  try {
    reason = decodeURIComponent(raw);
  } catch {
    throw invalidFormBody(['audit_log_reason'], 'BASE_TYPE_BAD_TYPE', 'Must be URL-encoded UTF-8.');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(reason)) {
    throw invalidFormBody(['audit_log_reason'], 'BASE_TYPE_BAD_TYPE', 'Must not contain control characters.');
  }
  if ([...reason].length > max) throw tooLong(max);
  const trimmed = reason.trim();
  return trimmed === '' ? undefined : trimmed;
}

function tooLong(max: number) {
  return invalidFormBody(['audit_log_reason'], 'BASE_TYPE_BAD_LENGTH', `Must be ${max} or fewer in length.`);
}
