import type { GatewayMetrics } from '../types.js';

/** op 9 Invalid Session (not resumable) for a Resume that cannot be served: the client identifies anew. */
export function invalidResume(
  metrics: GatewayMetrics | undefined,
  connection: { sendControl(op: number, d: unknown): void },
): void {
  metrics?.resume('invalid', 0);
  connection.sendControl(9, false);
}
