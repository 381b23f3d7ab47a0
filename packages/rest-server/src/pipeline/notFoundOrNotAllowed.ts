import type { RestError } from '../errors/RestError.js';
import { restErrors } from '../errors/restErrors.js';
import type { CompiledRoute } from './compileRoute.js';

/**
 * What a request no route took gets: 405 when its path matches a route of another method, else 404, with Discord's
 * bodies. `path` is the URL path after the plugin's prefix.
 */
export function notFoundOrNotAllowed(routes: readonly CompiledRoute[], path: string): RestError {
  const bare = path.replace(/^\/v\d+(?=\/|$)/, '').replace(/\/+$/, '') || '/';
  return routes.some((route) => route.pattern.test(bare)) ? restErrors.methodNotAllowed() : restErrors.notFound();
}
