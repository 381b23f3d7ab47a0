/**
 * CORS headers of every answer: browsers (Discord-like web clients) call the API from another origin, send the
 * `Authorization` and `X-Audit-Log-Reason` headers, and read the rate-limit headers.
 */
export const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Audit-Log-Reason',
  'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, PUT',
  'Access-Control-Expose-Headers':
    'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Reset-After, X-RateLimit-Bucket, X-RateLimit-Global, X-RateLimit-Scope, Retry-After',
} as const;
