import type { BrokerMessage } from '../Broker.js';

/** Most own messages kept per topic while their echo is awaited: an echo that never comes is forgotten past it. */
const MAX_PENDING = 256;

interface Pending {
  /** The bytes published (a v2 payload, without the stream id Redis puts before it). */
  readonly payload: Buffer;
  readonly message: BrokerMessage;
}

/**
 * What this node published to topics it also listens to, until the bus brings each message back (a bus delivers a
 * publisher's messages to its own subscriptions too): the node's own copy of a message is delivered then, in the bus's
 * order and with what the bus adds (Redis's stream id), instead of decoding the bytes it encoded itself.
 *
 * An echo is recognised by its bytes: a bus delivers one publisher's messages in the order they were sent, so this
 * node's echoes on a topic come in its publish order, and a message is ours when it equals one still pending there
 * (the ones before that one will not come back: lost with a connection, or the subscription was not in effect yet).
 * A message from another node with the very same bytes may be taken for ours: what is delivered is then the same
 * message either way.
 */
export class OwnPublishes {
  /** Per topic, its pending messages oldest first (a bare entry while there is one: the common case). */
  readonly #topics = new Map<string, Pending | Pending[]>();

  add(topic: string, payload: Buffer, message: BrokerMessage): void {
    const entry: Pending = { payload, message };
    const pending = this.#topics.get(topic);
    if (pending === undefined) this.#topics.set(topic, entry);
    else if (!Array.isArray(pending)) this.#topics.set(topic, [pending, entry]);
    else {
      pending.push(entry);
      if (pending.length > MAX_PENDING) pending.shift();
    }
  }

  /**
   * The own message whose echo `payload` is (its bytes from `start`), removed with any older one of the topic; null
   * when it is not one of ours.
   */
  take(topic: string, payload: Uint8Array, start: number): BrokerMessage | null {
    const pending = this.#topics.get(topic);
    if (pending === undefined) return null;
    if (!Array.isArray(pending)) {
      if (!sameBytes(pending.payload, payload, start)) return null;
      this.#topics.delete(topic);
      return pending.message;
    }
    for (let i = 0; i < pending.length; i++) {
      const entry = pending[i]!;
      if (!sameBytes(entry.payload, payload, start)) continue;
      if (i === pending.length - 1) this.#topics.delete(topic);
      else pending.splice(0, i + 1);
      return entry.message;
    }
    return null;
  }

  /** Forgets a topic's pending messages (its subscription is gone: no echo will come). */
  forget(topic: string): void {
    this.#topics.delete(topic);
  }

  clear(): void {
    this.#topics.clear();
  }
}

function sameBytes(mine: Buffer, payload: Uint8Array, start: number): boolean {
  return payload.byteLength - start === mine.byteLength && mine.compare(payload, start) === 0;
}
