import { RestError } from './RestError.js';

/**
 * The fixed refusals of the pipeline itself (not of a service), with Discord's bodies. `Connection: close` goes with
 * the refusals sent before a body was read: the rest of it is not worth reading to keep the connection.
 */
export const restErrors = {
  unauthorized: () => new RestError(401, 0, '401: Unauthorized'),
  notFound: () => new RestError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new RestError(405, 0, '405: Method Not Allowed'),
  invalidJson: () => new RestError(400, 50109, 'The request body contains invalid JSON.'),
  tooLarge: () => new RestError(413, 40005, 'Request entity too large', { headers: { Connection: 'close' } }),
  timeout: () => new RestError(408, 0, '408: Request Timeout', { headers: { Connection: 'close' } }),
  internal: (cause?: unknown) => new RestError(500, 0, '500: Internal Server Error', { cause }),
  unavailable: (cause?: unknown) => new RestError(503, 0, '503: Service Unavailable', { cause }),
} as const;
