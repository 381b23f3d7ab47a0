/**
 * A close code a peer may send in a close frame (RFC 6455 §7.4): the defined codes 1000–1014 except those reserved for
 * reporting (1004, 1005 "no status", 1006 "abnormal closure"), and the ranges for libraries (3000–3999) and
 * applications (4000–4999, where the gateway's own 4000–4014 live). Anything else in a close frame is a protocol error.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}
