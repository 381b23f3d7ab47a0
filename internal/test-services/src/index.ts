import { connect } from 'node:net';

export interface ServiceProbe {
  /** Short name used in messages, e.g. 'postgres'. */
  name: string;
  /** Resolves when the service answers; rejects otherwise. Defaults to a TCP connect to host:port. */
  probe?: () => Promise<unknown>;
  host?: string;
  port?: number;
  /** How a developer starts it, e.g. 'bash .ci/services/postgres.sh start'. */
  howToStart: string;
  timeoutMs?: number;
}

/** Resolves when a TCP connection to host:port opens, rejects on error or timeout. */
export function tcpProbe(host: string, port: number, timeoutMs = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out connecting to ${host}:${port}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Tells whether a real service is there. Locally an absent service makes the caller skip (with a message saying how to
 * start it); under CI=true an absent service is an error, so a CI run can never pass by skipping what it must test.
 */
export async function requireService(s: ServiceProbe): Promise<boolean> {
  const probe = s.probe ?? (() => tcpProbe(s.host ?? '127.0.0.1', s.port ?? 0, s.timeoutMs));
  try {
    await probe();
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const message = `${s.name} is not reachable (${why}). Start it with: ${s.howToStart}`;
    if (process.env.CI === 'true') throw new Error(`[CI] ${message}`);
    console.warn(`[skip] ${message}`);
    return false;
  }
}

export { writeSelfSignedCert } from './selfSignedCert.js';
export { type LoadBalancer, type LoadBalancerOptions, startLoadBalancer } from './startLoadBalancer.js';
