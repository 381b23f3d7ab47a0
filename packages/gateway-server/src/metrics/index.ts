// The hooks the server calls (`metrics` and `logger` options), for writing other implementations.
export type { CompressionLabel, EncodingLabel, GatewayLogger, GatewayMetrics } from '../types.js';
export {
  createGatewayMetrics,
  DEFAULT_FANOUT_BUCKETS,
  type GatewayMetricsOptions,
  type PrometheusGatewayMetrics,
  type RateLimitKind,
} from './createGatewayMetrics.js';
export { createJsonLogger, type JsonLoggerOptions, type LogLevel, noopLogger } from './GatewayLogger.js';
