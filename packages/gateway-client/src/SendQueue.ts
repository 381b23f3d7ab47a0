import { GatewayClientError } from './GatewayClientError.js';

export interface SendQueueOptions {
  /** Commands per window (default 120, the gateway's limit). */
  limit?: number;
  /** Window in ms (default 60000). */
  windowMs?: number;
  /**
   * Slots of each window only priority sends (heartbeats, Identify, Resume) may use, so a burst of presence updates
   * can never starve the heartbeat and get the connection zombied. Default 5.
   */
  reserved?: number;
}

interface Pending {
  send: () => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The client side of the 120 commands / 60 s limit. A fixed window that starts with its first command, like the
 * server's counter: ordinary commands may use `limit - reserved` slots, priority ones all of them. Ordinary commands
 * beyond the budget wait in FIFO order for the next window. `reset()` starts a new window (new connection: the
 * server counts per connection) and `pause()` holds ordinary commands while there is no ready session.
 */
export class SendQueue {
  readonly limit: number;
  readonly windowMs: number;
  readonly reserved: number;
  #used = 0;
  #windowEnd = 0;
  #queue: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #paused = true;
  readonly #now: () => number;

  constructor(options: SendQueueOptions = {}, now: () => number = Date.now) {
    this.limit = options.limit ?? 120;
    this.windowMs = options.windowMs ?? 60_000;
    this.reserved = Math.min(options.reserved ?? 5, this.limit - 1);
    if (!(this.limit >= 1 && this.windowMs > 0 && this.reserved >= 0)) {
      throw new GatewayClientError('INVALID_OPTIONS', 'rate limit: limit >= 1, windowMs > 0, reserved >= 0');
    }
    this.#now = now;
  }

  /** Commands still allowed in the current window for ordinary sends. */
  get remaining(): number {
    this.#roll();
    return Math.max(0, this.limit - this.reserved - this.#used);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Sends a priority command now if any slot is left in the window; returns false when it had to be dropped. */
  sendPriority(send: () => void): boolean {
    this.#roll();
    if (this.#used >= this.limit) return false;
    this.#take();
    send();
    return true;
  }

  /** Queues an ordinary command; resolves once it was handed to the socket. */
  enqueue(send: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ send, resolve, reject });
      this.#drain();
    });
  }

  /** New connection: a fresh window, ordinary commands held until `resume()`. */
  reset(): void {
    this.#used = 0;
    this.#windowEnd = 0;
    this.pause();
  }

  pause(): void {
    this.#paused = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  resume(): void {
    this.#paused = false;
    this.#drain();
  }

  /** Rejects everything queued (the connection was destroyed). */
  clear(error: Error): void {
    this.pause();
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) item.reject(error);
  }

  #roll(): void {
    if (this.#now() >= this.#windowEnd) {
      this.#used = 0;
      this.#windowEnd = 0;
    }
  }

  #take(): void {
    if (this.#used === 0 && this.#windowEnd === 0) this.#windowEnd = this.#now() + this.windowMs;
    this.#used++;
  }

  #drain(): void {
    if (this.#paused || this.#timer !== undefined) return;
    this.#roll();
    while (this.#queue.length > 0 && this.#used < this.limit - this.reserved) {
      const item = this.#queue.shift() as Pending;
      this.#take();
      try {
        item.send();
        item.resolve();
      } catch (error) {
        item.reject(error as Error);
      }
    }
    if (this.#queue.length > 0) {
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          this.#drain();
        },
        Math.max(0, this.#windowEnd - this.#now()) + 1,
      );
    }
  }
}
