export interface HeartbeatHooks {
  /** Sends op 1 (the connection's command queue calls `markSent` when it is written). */
  sendHeartbeat(): void;
  /** The previous beat got no ACK: the connection is a zombie and must be dropped. */
  zombie(): void;
}

/**
 * The heartbeat of a connection: one timer per socket (started on Hello, stopped on teardown), zombie detection
 * (a beat due while the last one is unacknowledged) and the round-trip latency, which outlives sockets.
 */
export class Heartbeat {
  readonly #hooks: HeartbeatHooks;
  readonly #random: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #acked = true;
  #sentAt = 0;
  #latency = -1;

  constructor(hooks: HeartbeatHooks, random: () => number) {
    this.#hooks = hooks;
    this.#random = random;
  }

  /** Last round trip in ms, -1 before the first ACK. */
  get latency(): number {
    return this.#latency;
  }

  /** A new socket owes no ACK yet. */
  reset(): void {
    this.#acked = true;
  }

  start(interval: number): void {
    this.stop();
    // The first beat is jittered so shards (and clients) reconnecting together do not beat in step.
    this.#timer = setTimeout(() => {
      this.#beat();
      this.#timer = setInterval(() => this.#beat(), interval);
    }, interval * this.#random());
  }

  stop(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      clearInterval(this.#timer);
    }
    this.#timer = undefined;
  }

  /** op 1 was written to the socket (a timed beat or one the server asked for). */
  markSent(): void {
    this.#sentAt = Date.now();
  }

  /** op 11 arrived; returns the new latency. */
  ack(): number {
    this.#acked = true;
    this.#latency = Date.now() - this.#sentAt;
    return this.#latency;
  }

  #beat(): void {
    if (!this.#acked) {
      this.#hooks.zombie();
      return;
    }
    this.#acked = false;
    this.#hooks.sendHeartbeat();
  }
}
