import { randomUUID } from 'node:crypto';
import type { Broker } from '@concord/gateway-server';

/**
 * A readiness check for a gateway broker (in-process, Redis, NATS): subscribes to a topic of its own, publishes one
 * message to it and resolves when the message comes back, so it proves the bus carries messages, not only that a
 * socket is open. Rejects when the message is not back within `timeoutMs` (default 2000).
 */
export function brokerCheck(broker: Broker, timeoutMs = 2000): () => Promise<void> {
  return async () => {
    const sessionId = `readyz-${randomUUID()}`;
    const topic = `session:${sessionId}`;
    let received!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      received = resolve;
      timer = setTimeout(() => reject(new Error(`no message back within ${timeoutMs} ms`)), timeoutMs);
    });
    const listener = () => received();
    try {
      await broker.subscribe(topic, listener);
      const target = { type: 'session' as const, sessionId };
      await broker.publish(topic, { event: 'READYZ', data: null, intent: null, target, createdAt: Date.now() });
      await arrived;
    } finally {
      clearTimeout(timer);
      await broker.unsubscribe(topic, listener);
    }
  };
}
