import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CompressionLabel, EncodingLabel, GatewayMetrics } from '../types.js';
import { KNOWN_CLOSE_CODES, KNOWN_COMMAND_OPS, KNOWN_DISPATCH_EVENTS } from './dispatchEvents.js';
import { PendingCounts } from './PendingCounts.js';

export interface GatewayMetricsOptions {
  /** Registry to register into (default: a fresh one, so two servers in one process do not collide). */
  registry?: Registry;
  /** Metric name prefix (default `concord_gateway_`). */
  prefix?: string;
  /** Fan-out latency buckets in seconds (default 0.1 ms .. 1 s). */
  fanoutBuckets?: number[];
}

export type RateLimitKind = 'commands' | 'identify' | 'identify_address' | 'member_request';

/** {@link GatewayMetrics} plus what a scrape endpoint needs. */
export interface PrometheusGatewayMetrics extends GatewayMetrics {
  readonly registry: Registry;
  /** `Content-Type` of {@link render}'s output. */
  readonly contentType: string;
  /** A rate limit was hit: the 120/60 s command limit, the identify bucket, or the op 8 whole-list limit. */
  rateLimited(kind: RateLimitKind): void;
  /** Prometheus text exposition of every metric in the registry. */
  render(): Promise<string>;
}

export const DEFAULT_FANOUT_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Caches label children: prom-client's `labels()` hashes its arguments on every call. */
function cached<C>(make: (key: string) => C): (key: string) => C {
  const map = new Map<string, C>();
  return (key) => {
    let child = map.get(key);
    if (child === undefined) {
      child = make(key);
      map.set(key, child);
    }
    return child;
  };
}

/**
 * Prometheus metrics for the gateway (prom-client). All label values come from closed sets — event names, close
 * codes and opcodes outside the known ones are folded into `OTHER`/`other` — so cardinality stays bounded.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): PrometheusGatewayMetrics {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'concord_gateway_';
  const registers = [registry];
  // What is counted per connection, Identify and command is summed here and handed over when the registry collects
  // (see PendingCounts.ts), as the bytes sent are.
  const pendingConnections = new PendingCounts();
  const pendingOpened = new PendingCounts();
  const pendingClosed = new PendingCounts();
  const pendingIdentifies = new PendingCounts();
  const pendingCommands = new PendingCounts();
  let pendingReceived = 0;

  const connections = new Gauge({
    name: `${p}connections`,
    help: 'Open WebSocket connections',
    labelNames: ['encoding', 'compression'] as const,
    registers,
    collect() {
      pendingConnections.flush((key, n) => (n >= 0 ? connectionsOf(key).inc(n) : connectionsOf(key).dec(-n)));
    },
  });
  const opened = new Counter({
    name: `${p}connections_opened_total`,
    help: 'WebSocket connections accepted',
    labelNames: ['encoding', 'compression'] as const,
    registers,
    collect() {
      pendingOpened.flush((key, n) => openedOf(key).inc(n));
    },
  });
  const closed = new Counter({
    name: `${p}connections_closed_total`,
    help: 'WebSocket connections closed, by close code',
    labelNames: ['code'] as const,
    registers,
    collect() {
      pendingClosed.flush((key, n) => closedOf(key).inc(n));
    },
  });
  const identifies = new Counter({
    name: `${p}identifies_total`,
    help: 'Identify attempts, by result',
    labelNames: ['result'] as const,
    registers,
    collect() {
      pendingIdentifies.flush((key, n) => identifies.labels(key).inc(n));
    },
  });
  const resumes = new Counter({
    name: `${p}resumes_total`,
    help: 'Resume attempts, by result',
    labelNames: ['result'] as const,
    registers,
  });
  const replayed = new Counter({
    name: `${p}resume_replayed_dispatches_total`,
    help: 'Dispatches re-sent on successful resumes',
    registers,
  });
  const dispatches = new Counter({
    name: `${p}dispatches_total`,
    help: 'Dispatches fanned out, by event',
    labelNames: ['event'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: `${p}dispatch_deliveries_total`,
    help: 'Dispatch copies delivered to sessions, by event',
    labelNames: ['event'] as const,
    registers,
  });
  // Bytes sent are counted per delivery: summed in plain numbers here and handed to prom-client when it collects,
  // since a labelled `inc` (label validation and hashing) costs about as much as building the frame.
  const unsent = new PendingCounts();
  const sent: Counter<'encoding' | 'compression'> = new Counter({
    name: `${p}sent_bytes_total`,
    help: 'Bytes written to sockets (after compression)',
    labelNames: ['encoding', 'compression'] as const,
    registers,
    collect() {
      unsent.flush((key, bytes) => sentOf(key).inc(bytes));
    },
  });
  const received = new Counter({
    name: `${p}received_bytes_total`,
    help: 'Bytes read from sockets',
    registers,
    collect() {
      if (pendingReceived > 0) received.inc(pendingReceived);
      pendingReceived = 0;
    },
  });
  const fanout = new Histogram({
    name: `${p}fanout_latency_seconds`,
    help: 'Time from a dispatch being published to its last copy being handed to a socket',
    buckets: options.fanoutBuckets ?? DEFAULT_FANOUT_BUCKETS,
    registers,
  });
  const sessions = new Gauge({
    name: `${p}sessions`,
    help: 'Sessions, live (connected) or resumable (detached)',
    labelNames: ['state'] as const,
    registers,
  });
  const backpressure = new Counter({
    name: `${p}backpressure_closes_total`,
    help: 'Connections closed because their send buffer passed the bound',
    registers,
  });
  const commands: Counter<'op'> = new Counter({
    name: `${p}commands_total`,
    help: 'Client commands received, by opcode',
    labelNames: ['op'] as const,
    registers,
    collect() {
      pendingCommands.flush((key, n) => commandOf(key).inc(n));
    },
  });
  const rateLimits = new Counter({
    name: `${p}rate_limit_hits_total`,
    help: 'Rate limits hit, by kind',
    labelNames: ['kind'] as const,
    registers,
  });

  const draining = new Gauge({
    name: `${p}draining_sessions`,
    help: 'Sessions a draining node still has to move away (connected, or not yet confirmed in the session store)',
    registers,
  });

  const connectionsOf = cached((k) => connections.labels(...(k.split('|') as [string, string])));
  const openedOf = cached((k) => opened.labels(...(k.split('|') as [string, string])));
  const sentOf = cached((k) => sent.labels(...((k.includes('|') ? k : `${k}|none`).split('|') as [string, string])));
  const closedOf = cached((k) => closed.labels(k));
  const dispatchOf = cached((k) => dispatches.labels(k));
  const deliveryOf = cached((k) => deliveries.labels(k));
  const commandOf = cached((k) => commands.labels(k));
  const live = sessions.labels('live');
  const resumable = sessions.labels('resumable');
  // Pre-create the zero series so that dashboards see them before the first event.
  for (const r of ['ok', 'invalid']) resumes.labels(r).inc(0);
  for (const r of ['commands', 'identify', 'member_request']) rateLimits.labels(r).inc(0);
  live.set(0);
  resumable.set(0);

  return {
    registry,
    contentType: registry.contentType,
    connectionOpened(encoding: EncodingLabel, compression: CompressionLabel) {
      const key = `${encoding}|${compression}`;
      pendingConnections.add(key, 1);
      pendingOpened.add(key);
    },
    connectionClosed(code: number, encoding: EncodingLabel, compression: CompressionLabel) {
      pendingConnections.add(`${encoding}|${compression}`, -1);
      pendingClosed.add(KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other');
    },
    identify(result) {
      pendingIdentifies.add(result);
    },
    resume(result, count) {
      resumes.labels(result).inc();
      if (result === 'ok' && count > 0) replayed.inc(count);
    },
    dispatch(event: string, recipients: number) {
      const label = KNOWN_DISPATCH_EVENTS.has(event) ? event : 'OTHER';
      dispatchOf(label).inc();
      if (recipients > 0) deliveryOf(label).inc(recipients);
    },
    bytesSent(bytes: number, encoding: EncodingLabel, compression: CompressionLabel) {
      if (bytes <= 0) return;
      const key = compression === 'none' ? encoding : `${encoding}|${compression}`;
      unsent.add(key, bytes);
    },
    bytesReceived(bytes: number) {
      if (bytes > 0) pendingReceived += bytes;
    },
    fanoutLatency(seconds: number) {
      if (Number.isFinite(seconds) && seconds >= 0) fanout.observe(seconds);
    },
    sessions(liveCount: number, resumableCount: number) {
      live.set(liveCount);
      resumable.set(resumableCount);
    },
    backpressureClose() {
      backpressure.inc();
    },
    command(op: number) {
      pendingCommands.add(KNOWN_COMMAND_OPS.has(op) ? String(op) : 'other');
    },
    rateLimited(kind: RateLimitKind) {
      rateLimits.labels(kind).inc();
    },
    draining(pending: number) {
      draining.set(pending);
    },
    render() {
      return registry.metrics();
    },
  };
}
