// @concord/rest-server: Discord's REST API v10 over the community model of @concord/guilds, as a Fastify plugin.
// Reading order: createRestPlugin.ts (the plugin: body parsers, error and not-found handlers, routes), then
// pipeline/guardRequest.ts (auth, rate limits, path checks before a body is read) and pipeline/runRoute.ts (uploads,
// the route, the answer), routes/restRoutes.ts (every route, one file per resource), errors/toRestError.ts (how every
// error becomes Discord's), rateLimit/ (buckets and headers), http/ (bodies, uploads, query parameters).
export { type CdnPluginOptions, concordCdn } from './cdn/concordCdn.js';
export { concordRest, createRestPlugin } from './createRestPlugin.js';
export { createRestServer, type RestServerOptions } from './createRestServer.js';
export { RateLimitedError } from './errors/RateLimitedError.js';
export { RestError } from './errors/RestError.js';
export { brokerCheck } from './ops/brokerCheck.js';
export {
  concordHealth,
  type HealthCheck,
  type HealthPluginOptions,
  type MetricsSource,
  type ReadinessReport,
  runHealthChecks,
} from './ops/concordHealth.js';
export { readTlsFiles, reloadTls, type TlsFiles } from './ops/reloadTls.js';
export { defaultRestOptions } from './options/defaultRestOptions.js';
export type { RestAuthenticate, RestErrorLogger, RestPluginOptions } from './options/RestPluginOptions.js';
export {
  defaultInMemoryRateLimitStoreOptions,
  InMemoryRateLimitStore,
  type InMemoryRateLimitStoreOptions,
} from './rateLimit/InMemoryRateLimitStore.js';
export type { RateLimitResult, RateLimitRule } from './rateLimit/RateLimitRule.js';
export type { RateLimitStore } from './rateLimit/RateLimitStore.js';
export type { RateLimits, RouteRateLimits } from './rateLimit/RateLimits.js';
export { restFrameworkErrors } from './restFrameworkErrors.js';
