import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from '../src/metrics/createGatewayMetrics.js';
import { createJsonLogger, noopLogger } from '../src/metrics/GatewayLogger.js';

/** Minimal exposition-format parser: metric families with HELP/TYPE and their samples. */
function parse(text: string) {
  const families = new Map<string, { help?: string; type?: string; samples: Map<string, number> }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { samples: new Map() };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP (\w+) (.+)$/.exec(line);
    if (m) {
      family(m[1]!).help = m[2];
      continue;
    }
    m = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      family(m[1]!).type = m[2];
      continue;
    }
    m = /^(\w+?)(_bucket|_sum|_count)?(\{[^}]*\})? (-?[\d.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const base = families.has(m[1]! + (m[2] ?? '')) ? m[1]! + (m[2] ?? '') : m[1]!;
    family(base).samples.set(`${m[2] ?? ''}${m[3] ?? ''}`, Number(m[4]));
  }
  return families;
}

describe('createGatewayMetrics', () => {
  it('renders every metric with HELP and TYPE, and counts what the hooks report', async () => {
    const metrics = createGatewayMetrics();
    metrics.connectionOpened('json', 'zlib-stream');
    metrics.connectionOpened('json', 'zlib-stream');
    metrics.connectionOpened('etf', 'none');
    metrics.connectionClosed(4009, 'json', 'zlib-stream');
    metrics.connectionClosed(4321, 'etf', 'none');
    metrics.identify('ok');
    metrics.identify('auth_failed');
    metrics.resume('ok', 12);
    metrics.resume('invalid', 0);
    metrics.dispatch('MESSAGE_CREATE', 40);
    metrics.dispatch('MESSAGE_CREATE', 2);
    metrics.dispatch('MADE_UP_EVENT_1', 1);
    metrics.dispatch('MADE_UP_EVENT_2', 1);
    metrics.bytesSent(100, 'json', 'zlib-stream');
    metrics.bytesSent(50, 'json', 'zlib-stream');
    metrics.bytesReceived(77);
    metrics.fanoutLatency(0.0003);
    metrics.fanoutLatency(0.2);
    metrics.fanoutLatency(Number.NaN);
    metrics.sessions(5, 2);
    metrics.backpressureClose?.();
    metrics.command?.(1);
    metrics.command?.(99);
    metrics.rateLimited('commands');
    metrics.rateLimited('member_request');

    expect(metrics.contentType).toMatch(/^text\/plain/);
    const f = parse(await metrics.render());
    for (const [name, family] of f) {
      expect(family.help, `${name} HELP`).toBeTruthy();
      expect(family.type, `${name} TYPE`).toBeTruthy();
    }
    const v = (name: string, labels = '') => f.get(`concord_gateway_${name}`)?.samples.get(labels);
    expect(v('connections', '{encoding="json",compression="zlib-stream"}')).toBe(1);
    expect(v('connections', '{encoding="etf",compression="none"}')).toBe(0);
    expect(v('connections_opened_total', '{encoding="json",compression="zlib-stream"}')).toBe(2);
    expect(v('connections_closed_total', '{code="4009"}')).toBe(1);
    expect(v('connections_closed_total', '{code="other"}')).toBe(1);
    expect(v('identifies_total', '{result="ok"}')).toBe(1);
    expect(v('identifies_total', '{result="auth_failed"}')).toBe(1);
    expect(v('resumes_total', '{result="ok"}')).toBe(1);
    expect(v('resumes_total', '{result="invalid"}')).toBe(1);
    expect(v('resume_replayed_dispatches_total')).toBe(12);
    expect(v('dispatches_total', '{event="MESSAGE_CREATE"}')).toBe(2);
    expect(v('dispatches_total', '{event="OTHER"}')).toBe(2);
    expect(v('dispatch_deliveries_total', '{event="MESSAGE_CREATE"}')).toBe(42);
    expect(v('sent_bytes_total', '{encoding="json",compression="zlib-stream"}')).toBe(150);
    expect(v('received_bytes_total')).toBe(77);
    expect(v('fanout_latency_seconds', '_count')).toBe(2);
    expect(v('fanout_latency_seconds', '_bucket{le="0.0005"}')).toBe(1);
    expect(v('fanout_latency_seconds', '_bucket{le="+Inf"}')).toBe(2);
    expect(v('sessions', '{state="live"}')).toBe(5);
    expect(v('sessions', '{state="resumable"}')).toBe(2);
    expect(v('backpressure_closes_total')).toBe(1);
    expect(v('commands_total', '{op="1"}')).toBe(1);
    expect(v('commands_total', '{op="other"}')).toBe(1);
    expect(v('rate_limit_hits_total', '{kind="commands"}')).toBe(1);
    expect(v('rate_limit_hits_total', '{kind="identify"}')).toBe(0);
  });

  it('honours prefix and a shared registry, and keeps instances apart by default', async () => {
    const registry = new Registry();
    const a = createGatewayMetrics({ registry, prefix: 'gw_' });
    a.bytesReceived(3);
    expect(await registry.metrics()).toContain('gw_received_bytes_total 3');
    const b = createGatewayMetrics();
    const c = createGatewayMetrics();
    b.bytesReceived(5);
    expect(await c.render()).toContain('concord_gateway_received_bytes_total 0');
  });
});

describe('loggers', () => {
  it('noopLogger accepts every call', () => {
    expect(() => noopLogger.error('x', { a: 1 })).not.toThrow();
  });

  it('writes one JSON line per record at or above the level', () => {
    const lines: string[] = [];
    const log = createJsonLogger({
      level: 'info',
      write: (l) => lines.push(l),
      base: { node: 'gw-1' },
      now: () => new Date(0),
    });
    log.debug('hidden');
    log.info('hello', { sessions: 3, big: 2n ** 70n, msg: 'cannot override' });
    log.error('boom', { err: new Error('bad') });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.warn('cycle', cyclic);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.endsWith('\n')).toBe(true);
    const [hello, boom, cycle] = lines.map((l) => JSON.parse(l));
    expect(hello).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'hello',
      node: 'gw-1',
      sessions: 3,
      big: '1180591620717411303424',
    });
    expect(boom.err.message).toBe('bad');
    expect(cycle).toMatchObject({ level: 'warn', msg: 'cycle', note: 'fields not serialisable' });
  });
});
