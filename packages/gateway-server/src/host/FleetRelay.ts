import type { Broker, BrokerListener } from '../Broker.js';
import type { RawBrokerListener, RawBusBroker } from '../brokers/BusBroker.js';
import { isThenable } from '../isThenable.js';
import { defaultCodec, type HostBroker, type HostMessageCodec } from './HostBroker.js';

/** Counters of the relay: messages up to the fleet, copies down to workers, failures. */
export interface FleetRelayStats {
  up: number;
  down: number;
  failed: number;
}

/**
 * The host's one connection to the fleet broker, in the primary: it subscribes once per topic any worker of the
 * host listens to (however many workers do), relays what the fleet delivers to those workers over the host links,
 * and publishes what workers publish. With a bus broker that has raw methods (`createRedisBroker`,
 * `createNatsBroker`) the bytes pass through undecoded, both ways: the workers decode; otherwise messages are decoded
 * and re-encoded once per host here (never once per worker).
 */
export class FleetRelay {
  readonly stats: FleetRelayStats = { up: 0, down: 0, failed: 0 };
  readonly #fleet: Broker;
  readonly #raw: RawBusBroker | undefined;
  readonly #codec: HostMessageCodec;
  readonly #listeners = new Map<string, BrokerListener>();
  readonly #onError: (error: unknown) => void;
  #host: HostBroker | undefined;

  constructor(fleet: Broker, onError: (error: unknown) => void, codec: HostMessageCodec = defaultCodec) {
    this.#fleet = fleet;
    this.#raw = isRaw(fleet) ? fleet : undefined;
    this.#onError = onError;
    this.#codec = codec;
  }

  /** The primary's links, once open (the relay is made first: the links' hooks call it). */
  attach(host: HostBroker): void {
    this.#host = host;
  }

  /** Whether the workers get history positions (what a resume store needs): raw relay over a broker with history. */
  get history(): boolean {
    return this.#raw !== undefined && this.#fleet.history === true;
  }

  readonly #rawListener: RawBrokerListener = (topic, payload) => {
    // The payload may be a view into the driver's buffer: forward() copies it into the frame before returning.
    if (this.#host !== undefined) this.stats.down += this.#host.forward(topic, payload);
  };

  /** The hooks the primary's `HostBroker` calls. */
  readonly hub = {
    interest: (topic: string, wanted: boolean): void => {
      const raw = this.#raw;
      if (raw !== undefined) {
        this.#settle(
          wanted ? raw.subscribeRaw(topic, this.#rawListener) : raw.unsubscribeRaw(topic, this.#rawListener),
        );
        return;
      }
      if (wanted) {
        if (this.#listeners.has(topic)) return;
        const listener: BrokerListener = (message) => {
          if (this.#host === undefined) return;
          this.stats.down += this.#host.forward(topic, this.#codec.encode(message));
        };
        this.#listeners.set(topic, listener);
        this.#settle(this.#fleet.subscribe(topic, listener));
      } else {
        const listener = this.#listeners.get(topic);
        if (listener === undefined) return;
        this.#listeners.delete(topic);
        this.#settle(this.#fleet.unsubscribe(topic, listener));
      }
    },
    published: (topic: string, body: Buffer): void => {
      try {
        this.#settle(
          this.#raw !== undefined
            ? this.#raw.publishRaw(topic, body)
            : this.#fleet.publish(topic, this.#codec.decode(topic, body)),
        );
        this.stats.up++;
      } catch (error) {
        this.stats.failed++;
        this.#onError(error);
      }
    },
  };

  /** Topics the host is subscribed to on the fleet. */
  topics(): string[] {
    return this.#raw !== undefined ? this.#raw.topics() : [...this.#listeners.keys()];
  }

  #settle(result: unknown): void {
    if (isThenable(result)) {
      Promise.resolve(result).catch((error) => {
        this.stats.failed++;
        this.#onError(error);
      });
    }
  }
}

const isRaw = (broker: Broker): broker is RawBusBroker =>
  typeof (broker as Partial<RawBusBroker>).subscribeRaw === 'function' &&
  typeof (broker as Partial<RawBusBroker>).publishRaw === 'function';
