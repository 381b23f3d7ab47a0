import type { GatewayServer } from '@concord/gateway-server';
import { CHANNEL_IDS, DEMO_EVENT, GUILD_ID } from './world.js';

export interface Publisher {
  /** Messages sent so far. */
  readonly sent: number;
  /** Stops; resolves with the last `n` sent per channel. */
  stop(): Map<string, number>;
}

/**
 * Sends numbered messages steadily, round robin over the demo channels, through `server` (any node of the cluster, or
 * a publish-only GatewayServer that never listens): `{ channel, n }` with n counting up per channel.
 */
export function startPublisher(server: GatewayServer, perSecond = 200): Publisher {
  const next = new Map<string, number>(CHANNEL_IDS.map((id) => [id, 0]));
  let sent = 0;
  let turn = 0;
  const tickMs = 10;
  let owed = 0;
  const timer = setInterval(() => {
    owed += (perSecond * tickMs) / 1000;
    for (; owed >= 1; owed--) {
      const channel = CHANNEL_IDS[turn++ % CHANNEL_IDS.length]!;
      const n = next.get(channel)!;
      next.set(channel, n + 1);
      server.dispatchToChannel(GUILD_ID, channel, DEMO_EVENT, { channel, n }, { intent: null });
      sent++;
    }
  }, tickMs);
  return {
    get sent() {
      return sent;
    },
    stop() {
      clearInterval(timer);
      return new Map([...next].filter(([, n]) => n > 0).map(([channel, n]) => [channel, n - 1]));
    },
  };
}
