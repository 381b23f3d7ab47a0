import type { DispatchTarget } from '../Broker.js';
import type { Snowflake } from '../types.js';
import type { DispatchOptions } from './DispatchOptions.js';
import type { GatewayDispatchEvent, GatewayDispatchMap } from './GatewayDispatchMap.js';

/**
 * The dispatch API of `GatewayServer` (which implements it): each method publishes through the broker to every node
 * holding a recipient, and is typed by {@link GatewayDispatchMap}. Types only; a wrapper or a test double can implement
 * it too.
 */
export interface GatewayServerDispatch {
  /** Sends an event to every session (of the right shard) in a guild. */
  dispatchToGuild<E extends GatewayDispatchEvent>(
    guildId: Snowflake,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void;
  /** Sends an event to the sessions of a guild that can view a channel. */
  dispatchToChannel<E extends GatewayDispatchEvent>(
    guildId: Snowflake,
    channelId: Snowflake,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void;
  /**
   * Sends an event to every session of some users (DMs, user-level events). With `guildId` only the sessions whose
   * shard holds that guild get it; without, shard 0 (where Discord sends DMs).
   */
  dispatchToUsers<E extends GatewayDispatchEvent>(
    userIds: Snowflake | Snowflake[],
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions & { guildId?: Snowflake },
  ): void;
  /** Sends an event to one session. */
  dispatchToSession<E extends GatewayDispatchEvent>(
    sessionId: string,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void;
  /** The general form: any target. */
  dispatch<E extends GatewayDispatchEvent>(
    event: E,
    data: GatewayDispatchMap[E],
    target: DispatchTarget,
    options?: DispatchOptions,
  ): void;
  /**
   * The escape hatch: any event name, any payload, unchecked. For events decided at run time (a proxy forwarding
   * what it receives) and tests that send malformed payloads on purpose; an application's own events are better
   * added to {@link GatewayDispatchMap}. The payload must still be JSON-able for the session's encoding.
   */
  dispatchRaw(event: string, data: unknown, target: DispatchTarget, options?: DispatchOptions): void;
}
