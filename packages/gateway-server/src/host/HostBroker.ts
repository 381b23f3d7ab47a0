import { createServer, type Server, type Socket, connect as unixConnect } from 'node:net';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import type { BrokerStats, BusBroker } from '../brokers/BusBroker.js';
import {
  decodeBrokerPayload,
  encodeBrokerMessage,
  encodeBrokerPayload,
  ownCopy,
  splicedBody,
} from '../brokers/brokerCodec.js';
import { TopicListeners } from '../brokers/TopicListeners.js';
import { decodeHostPayload } from './decodeHostPayload.js';
import { defaultHostOptions } from './HostOptions.js';
import { encodeFrame, FrameKind, FrameReader, frameBody, type HostFrame } from './hostFrames.js';
import { PeerLink } from './PeerLink.js';
import { topicHash } from './topicHash.js';

/** Another process of the host: its peer id and the unix socket it accepts links on. */
export interface HostPeer {
  id: string;
  path: string;
}

/**
 * How broker messages become the bytes a link carries, and back. Default: the bus encoding (`brokerCodec` v2, the
 * frame body kept as bytes, so a worker splices it into its frames without parsing it), which is also what a fleet
 * relay forwards undecoded; `decode` gets the topic because a fleet payload may carry its stream position.
 */
export interface HostMessageCodec {
  encode(message: BrokerMessage): string | Uint8Array;
  decode(topic: string, body: Buffer): BrokerMessage;
}

export interface HostBrokerOptions {
  /** This process's peer id, unique in the host. */
  id: string;
  /** Where this process accepts links from its peers (a unix socket path). */
  path: string;
  /** Per peer: message bytes queued before further messages to it are dropped (default 32 MiB). */
  maxLinkBufferedBytes?: number;
  /** Largest frame accepted from a peer (default 64 MiB); past it the link is cut. */
  maxFrameBytes?: number;
  codec?: HostMessageCodec;
  /**
   * With a fleet broker the host talks to the fleet through one process (the primary): a worker then publishes to
   * that peer only and gets everything, its own host's messages included, relayed back from the fleet. Unset: the
   * host is on its own and workers deliver to each other directly.
   */
  uplink?: string;
  /**
   * The primary's hooks when it relays to a fleet: the host as a whole starts or stops wanting a topic, and a worker
   * published a message (body as encoded). Without them inbound messages are delivered to local listeners.
   */
  hub?: {
    interest(topic: string, wanted: boolean): void;
    published(topic: string, body: Buffer): void;
  };
  /**
   * Messages carry their place in a topic history (a fleet relay over the Redis broker with history): what a
   * `resumeStore` needs. Default false.
   */
  history?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * A local delivery this long holds the peers' frames back by as much if they wait for the end of the tick: past it,
 * the next message on the topic is sent to the peers before it is delivered here (a 10,000-member guild takes ~85 ms
 * per process to write; a small one, tens of µs).
 */
const SLOW_DELIVERY_MS = 1;

export const defaultCodec: HostMessageCodec = {
  // As text when `data` is encoded here: the frame is then written from the string in one go (no Buffer of the
  // payload made and copied into the frame). A message that came spliced keeps its body bytes.
  encode: (message) =>
    splicedBody(message) === undefined ? encodeBrokerMessage(message) : encodeBrokerPayload(message),
  decode: decodeBrokerPayload,
};

/** Counters of a host broker: the bus counters plus what stayed local and what links dropped. */
export interface HostBrokerStats extends BrokerStats {
  /** Message frames sent to peers. */
  relayed: number;
}

/**
 * The host-local fan-out: a `Broker` joining the processes of one host over unix sockets, one link each way between
 * every two processes. Each process tells its peers which topics it has listeners for; a publish is delivered to the
 * local listeners synchronously and sent, encoded once, only to the peers that listen to its topic, batched per tick
 * (one write per peer per tick; before the local delivery on a topic whose deliveries take long).
 * No broker daemon and no second hop: a message costs one encode at the publisher and one decode per receiving worker.
 */
export class HostBroker implements BusBroker {
  readonly id: string;
  readonly path: string;
  readonly stats: HostBrokerStats = { published: 0, received: 0, dropped: 0, relayed: 0 };
  readonly history: boolean;
  readonly #listeners = new TopicListeners();
  readonly #links = new Map<string, PeerLink>();
  /** Per peer: the topics it listens to (learned from its subscribe frames), as hash → subscription count. */
  readonly #peerHashes = new Map<string, Map<number, number>>();
  /**
   * The hub only (the primary relaying to a fleet): exact topics and who wants each, because it subscribes to them
   * on the fleet by name. Workers keep hashes only.
   */
  readonly #wanted = new Map<string, Set<string>>();
  readonly #peerTopics = new Map<string, Set<string>>();
  readonly #inbound = new Set<Socket>();
  /** The inbound link each peer speaks on now (an older one closing late must not forget the newer's topics). */
  readonly #inboundOf = new Map<string, Socket>();
  #peers = new Map<string, HostPeer>();
  readonly #options: HostBrokerOptions;
  readonly #codec: HostMessageCodec;
  /**
   * A host on its own with the default codec: every message frame was encoded by a sibling's `publish`, so its body
   * is not scanned again (decodeHostPayload). With a fleet, frames carry what other nodes published: fully decoded.
   */
  readonly #trusted: boolean;
  readonly #server: Server;
  /** Topics whose last local delivery took `SLOW_DELIVERY_MS` or more; only topics with local listeners. */
  readonly #slowTopics = new Set<string>();
  #closed = false;

  private constructor(options: HostBrokerOptions, server: Server) {
    this.id = options.id;
    this.path = options.path;
    this.history = options.history ?? false;
    this.#options = options;
    this.#codec = options.codec ?? defaultCodec;
    this.#trusted = this.#codec === defaultCodec && options.uplink === undefined && options.hub === undefined;
    this.#server = server;
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** Opens the process's link listener; peers come with `setPeers`. */
  static async listen(options: HostBrokerOptions): Promise<HostBroker> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HostBroker(options, server);
  }

  // ── Broker ──────────────────────────────────────────────────────────────────────────────────────────────────

  publish(topic: string, message: BrokerMessage): void {
    if (this.#closed) return;
    this.stats.published++;
    const uplink = this.#options.uplink;
    if (uplink !== undefined) {
      // The fleet sends it back to every process of the host that listens, this one included.
      const link = this.#links.get(uplink);
      if (link?.sendMessage(encodeFrame(FrameKind.message, topic, this.#codec.encode(message)))) this.stats.relayed++;
      else this.stats.dropped++;
      return;
    }
    // Peers first: they write their share of the fan-out while this process writes its own. Encoded only when some
    // peer listens, once for all of them.
    const hash = topicHash(topic);
    let frame: Buffer | undefined;
    let sent = 0;
    for (const [id, hashes] of this.#peerHashes) {
      if (!hashes.has(hash)) continue;
      frame ??= encodeFrame(FrameKind.message, topic, this.#codec.encode(message));
      if (this.#links.get(id)?.sendMessage(frame)) sent++;
      else this.stats.dropped++;
    }
    this.stats.relayed += sent;
    if (!this.#listeners.has(topic)) return;
    // Encoded for the peers: this process's listeners get the message those bytes decode to (the body spliced into
    // its JSON frames, as the peers do), made from them without a parse (brokerCodec's ownCopy), rather than the
    // object, which fan-out would encode to JSON a second time. The same message as the peers' then, too.
    const mine = frame !== undefined && this.#codec === defaultCodec ? ownCopy(message, frameBody(frame)) : null;
    if (sent === 0) {
      this.#deliver(topic, mine ?? message);
      return;
    }
    // The frame waits for the end of the tick (one write and one peer wake-up per burst), unless this topic's local
    // delivery is long (a large guild): then it goes out now, so the peers write their share while this process
    // writes its own. Long is judged by the last delivery on the topic, measured only when a peer listens too.
    if (this.#slowTopics.has(topic)) for (const link of this.#links.values()) link.flush();
    const start = performance.now();
    this.#deliver(topic, mine ?? message);
    if (performance.now() - start >= SLOW_DELIVERY_MS) this.#slowTopics.add(topic);
    else this.#slowTopics.delete(topic);
  }

  subscribe(topic: string, listener: BrokerListener): void {
    if (this.#closed || !this.#listeners.add(topic, listener)) return;
    const frame = encodeFrame(FrameKind.subscribe, topic);
    for (const link of this.#links.values()) link.sendControl(frame);
  }

  unsubscribe(topic: string, listener: BrokerListener): void {
    if (this.#closed || !this.#listeners.remove(topic, listener)) return;
    this.#slowTopics.delete(topic);
    const frame = encodeFrame(FrameKind.unsubscribe, topic);
    for (const link of this.#links.values()) link.sendControl(frame);
  }

  topics(): string[] {
    return this.#listeners.topics();
  }

  /** Resolves at once: subscribe frames are queued on every link the moment they are asked for. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  // ── host ────────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends an encoded message to the peers listening to its topic, without local delivery (the primary relaying what
   * the fleet delivered). Returns how many peers it was queued for.
   */
  forward(topic: string, body: string | Uint8Array): number {
    if (this.#closed) return 0;
    const hash = topicHash(topic);
    let frame: Buffer | undefined;
    let sent = 0;
    for (const [id, hashes] of this.#peerHashes) {
      if (!hashes.has(hash)) continue;
      frame ??= encodeFrame(FrameKind.message, topic, body);
      const link = this.#links.get(id);
      if (link?.sendMessage(frame)) sent++;
      else this.stats.dropped++;
    }
    this.stats.relayed += sent;
    return sent;
  }

  /** Peers that told this process they listen to `topic` (or to a topic of the same hash). */
  listenersOf(topic: string): string[] {
    const hash = topicHash(topic);
    const peers: string[] = [];
    for (const [id, hashes] of this.#peerHashes) if (hashes.has(hash)) peers.push(id);
    return peers;
  }

  /** Peer ids with an outbound link up. */
  linked(): string[] {
    return [...this.#links.keys()];
  }

  /** Message frames dropped per peer because it did not keep up. */
  dropsByPeer(): Record<string, number> {
    const drops: Record<string, number> = {};
    for (const [id, link] of this.#links) drops[id] = link.dropped;
    return drops;
  }

  /** The host's processes now: links to new peers open (sending our topics), links to gone peers close. */
  setPeers(peers: readonly HostPeer[]): void {
    if (this.#closed) return;
    const next = new Map(peers.filter((p) => p.id !== this.id).map((p) => [p.id, p]));
    for (const [id, link] of this.#links) {
      if (next.get(id)?.path === this.#peers.get(id)?.path && next.has(id)) continue;
      this.#links.delete(id);
      link.socket.destroy();
      this.#forget(id);
    }
    this.#peers = next;
    for (const peer of next.values()) if (!this.#links.has(peer.id)) this.#link(peer);
  }

  #link(peer: HostPeer): void {
    const socket = unixConnect(peer.path);
    const link = new PeerLink(
      peer.id,
      socket,
      this.#options.maxLinkBufferedBytes ?? defaultHostOptions.maxLinkBufferedBytes,
    );
    this.#links.set(peer.id, link);
    link.sendControl(encodeFrame(FrameKind.hello, this.id));
    for (const topic of this.#listeners.topics()) link.sendControl(encodeFrame(FrameKind.subscribe, topic));
    // A peer that is going away refuses links (its socket file is gone): expected, the primary announces it soon.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT' && error.code !== 'ECONNREFUSED') this.#options.onError?.(error);
    });
    socket.on('close', () => {
      if (this.#links.get(peer.id) !== link) return;
      this.#links.delete(peer.id);
      // Still a peer (a transient failure): link again shortly. A peer that left is removed by setPeers.
      if (!this.#closed && this.#peers.get(peer.id) === peer) {
        setTimeout(() => {
          if (!this.#closed && this.#peers.get(peer.id) === peer && !this.#links.has(peer.id)) this.#link(peer);
        }, 100).unref();
      }
    });
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#inbound.add(socket);
    const reader = new FrameReader(this.#options.maxFrameBytes ?? defaultHostOptions.maxFrameBytes);
    let peer: string | null = null;
    const onFrame = (frame: HostFrame): void => {
      if (peer === null) {
        if (frame.kind !== FrameKind.hello) throw new Error('link did not start with hello');
        peer = frame.topic;
        this.#forget(peer);
        this.#inboundOf.set(peer, socket);
        return;
      }
      this.#inboundFrame(peer, frame);
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, onFrame);
      } catch (error) {
        this.#options.onError?.(error);
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.#options.onError?.(error));
    socket.on('close', () => {
      this.#inbound.delete(socket);
      if (peer === null || this.#inboundOf.get(peer) !== socket) return;
      this.#inboundOf.delete(peer);
      this.#forget(peer);
    });
  }

  #inboundFrame(peer: string, frame: HostFrame): void {
    switch (frame.kind) {
      case FrameKind.subscribe: {
        let hashes = this.#peerHashes.get(peer);
        if (hashes === undefined) {
          hashes = new Map();
          this.#peerHashes.set(peer, hashes);
        }
        const hash = topicHash(frame.topic);
        hashes.set(hash, (hashes.get(hash) ?? 0) + 1);
        if (this.#options.hub !== undefined) this.#want(peer, frame.topic);
        break;
      }
      case FrameKind.unsubscribe: {
        const hashes = this.#peerHashes.get(peer);
        const hash = topicHash(frame.topic);
        const count = hashes?.get(hash);
        if (hashes !== undefined && count !== undefined) {
          if (count > 1) hashes.set(hash, count - 1);
          else hashes.delete(hash);
        }
        if (this.#options.hub !== undefined) {
          this.#unwant(peer, frame.topic);
          this.#peerTopics.get(peer)?.delete(frame.topic);
        }
        break;
      }
      case FrameKind.message: {
        const hub = this.#options.hub;
        if (hub !== undefined) {
          hub.published(frame.topic, frame.body);
          return;
        }
        let message: BrokerMessage;
        try {
          message = this.#trusted
            ? decodeHostPayload(frame.topic, frame.body)
            : this.#codec.decode(frame.topic, frame.body);
        } catch (error) {
          this.stats.dropped++;
          this.#options.onError?.(error);
          return;
        }
        this.stats.received++;
        this.#deliver(frame.topic, message);
        break;
      }
    }
  }

  #deliver(topic: string, message: BrokerMessage): void {
    this.#listeners.deliver(topic, message, (error) => {
      this.stats.dropped++;
      this.#options.onError?.(error);
    });
  }

  #want(peer: string, topic: string): void {
    let peers = this.#wanted.get(topic);
    if (peers === undefined) {
      peers = new Set();
      this.#wanted.set(topic, peers);
    }
    const first = peers.size === 0;
    peers.add(peer);
    let topics = this.#peerTopics.get(peer);
    if (topics === undefined) {
      topics = new Set();
      this.#peerTopics.set(peer, topics);
    }
    topics.add(topic);
    if (first) this.#options.hub?.interest(topic, true);
  }

  #unwant(peer: string, topic: string): void {
    const peers = this.#wanted.get(topic);
    if (peers === undefined || !peers.delete(peer)) return;
    if (peers.size > 0) return;
    this.#wanted.delete(topic);
    this.#options.hub?.interest(topic, false);
  }

  /** A peer's link went: it listens to nothing any more (a restarted worker subscribes afresh). */
  #forget(peer: string): void {
    this.#peerHashes.delete(peer);
    const topics = this.#peerTopics.get(peer);
    if (topics === undefined) return;
    this.#peerTopics.delete(peer);
    for (const topic of topics) this.#unwant(peer, topic);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    for (const socket of this.#inbound) socket.destroy();
    this.#listeners.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
