export {
  createGatewayMetrics,
  DEFAULT_FANOUT_BUCKETS,
  type GatewayMetricsOptions,
  type PrometheusGatewayMetrics,
  type RateLimitKind,
} from './createGatewayMetrics.js';
export { createJsonLogger, type JsonLoggerOptions, type LogLevel, noopLogger } from './GatewayLogger.js';
