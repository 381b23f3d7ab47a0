import { bucketHash } from '../rateLimit/bucketHash.js';
import type { RouteDefinition } from './RouteDefinition.js';

/** A route with what the pipeline derives from its template once, at registration. */
export interface CompiledRoute extends RouteDefinition {
  /** `METHOD /path` as Discord's spec names it (the contract check's key, the bucket's seed). */
  template: string;
  /** Matches the path (after the API prefix and version) for the 405 check of the not-found handler. */
  pattern: RegExp;
  /** Path parameters that must be snowflakes, in template order. */
  snowflakes: string[];
  /** Discord's major parameters: buckets are counted per channel, guild or webhook. */
  major: 'channel_id' | 'guild_id' | 'webhook_id' | undefined;
  /** X-RateLimit-Bucket: the same for every major parameter, as Discord's. */
  bucket: string;
}

export function compileRoute(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-z_]+)/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  const first = params[0];
  const major =
    first !== undefined &&
    (route.path.startsWith(`/channels/:${first}`) ||
      route.path.startsWith(`/guilds/:${first}`) ||
      route.path.startsWith(`/webhooks/:${first}`))
      ? (first as 'channel_id' | 'guild_id' | 'webhook_id')
      : undefined;
  const template = `${route.method} ${route.path}`;
  return {
    ...route,
    template,
    pattern: new RegExp(`^${source}$`),
    snowflakes: params.filter((name) => !route.strings?.includes(name)),
    major,
    bucket: bucketHash(template),
  };
}
