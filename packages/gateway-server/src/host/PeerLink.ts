import type { Socket } from 'node:net';

/**
 * The sending half of a link to one peer process of the host. Frames queued in a tick go out together in one `write`
 * when it ends, or earlier when the broker calls `flush` (before it delivers a tick's messages to its own sessions, so
 * the peer starts its share of a large fan-out while this process writes its own): one syscall per peer per tick,
 * and one wake-up of the peer, however many messages a burst published.
 *
 * Bounded: message frames are dropped (and counted) while the bytes queued here and in the socket pass
 * `maxBufferedBytes` — a stalled peer costs its sessions some messages, never the publisher's memory. Subscription
 * frames are never dropped (the peer's view of our topics must stay exact); they are bounded by the topic count.
 */
export class PeerLink {
  readonly peerId: string;
  readonly socket: Socket;
  readonly #maxBufferedBytes: number;
  #queue: Buffer[] = [];
  #queued = 0;
  #scheduled = false;
  /** Message frames dropped because the peer did not keep up. */
  dropped = 0;
  /** Message frames handed to the socket. */
  sent = 0;

  constructor(peerId: string, socket: Socket, maxBufferedBytes: number) {
    this.peerId = peerId;
    this.socket = socket;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Queues a message frame; false when it was dropped (peer over its buffer bound, or gone). */
  sendMessage(frame: Buffer): boolean {
    if (this.socket.destroyed || this.#queued + this.socket.writableLength + frame.length > this.#maxBufferedBytes) {
      this.dropped++;
      return false;
    }
    this.sent++;
    this.#enqueue(frame);
    return true;
  }

  /** Queues a control frame (hello, subscribe, unsubscribe): never dropped while the link is up. */
  sendControl(frame: Buffer): void {
    if (!this.socket.destroyed) this.#enqueue(frame);
  }

  #enqueue(frame: Buffer): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
    this.#queue.push(frame);
    this.#queued += frame.length;
  }

  /** Writes what is queued now, in one `write`. */
  readonly flush = (): void => {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue.length === 0 || this.socket.destroyed) return;
    this.#queue = [];
    this.#queued = 0;
    this.socket.write(queue.length === 1 ? queue[0]! : Buffer.concat(queue));
  };

  close(): void {
    this.flush();
    this.socket.end();
  }
}
