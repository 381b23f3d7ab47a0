import type { FastifyPluginAsync } from 'fastify';

/** One readiness check: resolves (any value) when the dependency answers, throws or rejects when it does not. */
export type HealthCheck = () => unknown;

/** What `/metrics` serves: a Prometheus registry's text (`createGatewayMetrics()` of `@concord/gateway-server/metrics`). */
export interface MetricsSource {
  /** `Content-Type` of {@link render}'s output. */
  readonly contentType: string;
  /** The text exposition of every metric, rendered per scrape. */
  render(): Promise<string>;
}

/** Options of the {@link concordHealth} plugin. */
export interface HealthPluginOptions {
  /**
   * Readiness checks by name (`storage`, `broker`, `voice`…): `/readyz` runs them all at once and answers 503 naming
   * each one that threw, rejected or did not answer within `timeoutMs`.
   */
  checks?: Record<string, HealthCheck>;
  /** True while the server shuts down or drains: `/readyz` then answers 503 without running the checks. */
  draining?: () => boolean;
  /** Per-check budget of `/readyz`, ms (default 2000). */
  timeoutMs?: number;
  /** Served at `/metrics` when given. */
  metrics?: MetricsSource;
}

/** The body of `/readyz`: `ok`, or `failing` with each failed check's reason. */
export interface ReadinessReport {
  /** `ok`: every check passed; `failing`: one or more did not; `draining`: the server shuts down (no checks run). */
  status: 'ok' | 'failing' | 'draining';
  /** Each check by name, with the reason of a failure (the error's message, or the timeout). */
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function runHealthChecks(checks: Record<string, HealthCheck>, timeoutMs = 2000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(check), timeout]);
        return [name, { ok: true as const }] as const;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, { ok: false as const, error: message || 'failed' }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failed = entries.some(([, result]) => !result.ok);
  return { status: failed ? 'failing' : 'ok', checks: Object.fromEntries(entries) };
}

/**
 * Probes for load balancers and orchestrators: `GET /healthz` (liveness: 200 while the process answers at all),
 * `GET /readyz` (readiness: 200 when every check passes, 503 with the failing checks named, 503 `draining` while the
 * server shuts down) and, with `metrics`, `GET /metrics` (Prometheus text). None of them needs a token or counts
 * against rate limits; put them behind the proxy's access rules if they should not be public.
 */
export const concordHealth: FastifyPluginAsync<HealthPluginOptions> = async (app, options) => {
  const checks = options.checks ?? {};
  const noStore = { 'cache-control': 'no-store' };
  app.get('/healthz', async (_request, reply) => reply.headers(noStore).send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (options.draining?.()) {
      const report: ReadinessReport = { status: 'draining', checks: {} };
      return reply.code(503).headers(noStore).send(report);
    }
    const report = await runHealthChecks(checks, options.timeoutMs);
    return reply
      .code(report.status === 'ok' ? 200 : 503)
      .headers(noStore)
      .send(report);
  });
  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', async (_request, reply) =>
      reply.headers({ ...noStore, 'content-type': metrics.contentType }).send(await metrics.render()),
    );
  }
};
