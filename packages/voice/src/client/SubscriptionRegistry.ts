import { Readable } from 'node:stream';
import type { EventEmitter } from 'eventemitter3';
import type { JitterStats } from '../jitter/types.js';
import { ReceiveSubscription, type SubscribeOptions, type SubscriptionTarget } from './ReceiveSubscription.js';
import type { ReceivedPacket, VoiceClientEvents } from './VoiceClientEvents.js';

const FRAME_MS = 20;
/** Longest timer stall the playout clock catches up on; beyond it the missed ticks are skipped. */
const MAX_CATCH_UP_MS = 200;

/**
 * The live receive subscriptions of one client and the playout clock they share. Subscriptions take their packets
 * from the client's `packet` event, so whatever emits one (the socket, or a test) feeds them; raw ones also end on
 * `clientDisconnect` of their user and on `close`.
 */
export class SubscriptionRegistry {
  private readonly client: EventEmitter<VoiceClientEvents>;
  private readonly subscriptions = new Set<ReceiveSubscription>();
  private readonly raw = new Map<Readable, [SubscriptionTarget, () => void]>();
  private playoutTimer: NodeJS.Timeout | undefined;
  private nextTickMs = 0;

  public constructor(client: EventEmitter<VoiceClientEvents>) {
    this.client = client;
  }

  /** One buffered (or per-packet) subscription; see `VoiceClient.subscribe`. */
  public subscribe(target: SubscriptionTarget, options: SubscribeOptions): Readable {
    const sub = new ReceiveSubscription(target, options);
    if (this.subscriptions.size === 0) this.client.on('packet', this.feed);
    this.subscriptions.add(sub);
    sub.stream.once('close', () => this.drop(sub));
    sub.stream.once('end', () => this.drop(sub));
    if (sub.clocked) this.startPlayout();
    return sub.stream;
  }

  /** A stream of raw Opus Buffers, one per matching `packet` event. */
  public subscribeRaw(target: SubscriptionTarget): Readable {
    const client = this.client;
    const stream = new Readable({ objectMode: true, read() {} });
    const matches = (p: { ssrc: number; userId: string | null }) =>
      typeof target === 'number' ? p.ssrc === target : p.userId === target;
    const onPacket = (p: ReceivedPacket) => {
      if (matches(p)) stream.push(p.opus);
    };
    const detach = () => {
      this.raw.delete(stream);
      client.off('packet', onPacket);
      client.off('clientDisconnect', end);
      client.off('close', onClose);
    };
    const end = (who?: string) => {
      if (who !== undefined && who !== target) return;
      detach();
      stream.push(null);
    };
    const onClose = () => end();
    this.raw.set(stream, [target, () => end()]);
    client.on('packet', onPacket);
    client.on('clientDisconnect', end);
    client.on('close', onClose);
    stream.once('close', detach);
    stream.once('end', detach);
    return stream;
  }

  /** Ends every subscription to this user or SSRC (the raw ones too). */
  public unsubscribe(target: SubscriptionTarget): void {
    for (const sub of [...this.subscriptions]) if (sub.target === target) this.drop(sub);
    for (const [t, end] of [...this.raw.values()]) if (t === target) end();
  }

  /** Ends the buffered subscriptions to a user who left (raw ones follow the `clientDisconnect` event). */
  public endUser(userId: string): void {
    for (const sub of [...this.subscriptions]) if (sub.target === userId) this.drop(sub);
  }

  /** Ends every buffered subscription and stops the clock (raw ones follow the `close` event). */
  public endAll(): void {
    for (const sub of [...this.subscriptions]) this.drop(sub);
    this.stopPlayout();
  }

  /** Jitter buffer statistics of the newest buffered subscription to this user or SSRC (null if there is none). */
  public stats(target: SubscriptionTarget): JitterStats | null {
    let stats: JitterStats | null = null;
    for (const sub of this.subscriptions) if (sub.target === target && sub.clocked) stats = sub.stats();
    return stats;
  }

  private drop(sub: ReceiveSubscription): void {
    if (!this.subscriptions.delete(sub)) return;
    sub.end();
    if (this.subscriptions.size === 0) this.client.off('packet', this.feed);
    let clocked = false;
    for (const s of this.subscriptions) clocked ||= s.clocked;
    if (!clocked) this.stopPlayout();
  }

  private readonly feed = (packet: ReceivedPacket): void => {
    const now = performance.now();
    for (const sub of this.subscriptions) if (sub.matches(packet)) sub.push(packet, now);
  };

  private startPlayout(): void {
    if (this.playoutTimer) return;
    this.nextTickMs = performance.now() + FRAME_MS;
    // The pull waits for the check phase, after the poll phase has handed over the datagrams that arrived meanwhile:
    // after a stall, packets already in the socket buffer are pushed before their slots are judged.
    this.playoutTimer = setInterval(() => setImmediate(this.tick), FRAME_MS);
    // Receiving alone must not keep the process alive (the sockets decide that).
    this.playoutTimer.unref();
  }

  private stopPlayout(): void {
    if (this.playoutTimer) clearInterval(this.playoutTimer);
    this.playoutTimer = undefined;
  }

  /**
   * Pulls every buffered subscription once per 20 ms of real time. Timers fire late and drift, so the ticks are counted
   * against the clock (catching up after a stall), and a stall longer than MAX_CATCH_UP_MS is skipped rather than
   * replayed at once.
   */
  private readonly tick = (): void => {
    if (!this.playoutTimer) return;
    const now = performance.now();
    if (now - this.nextTickMs > MAX_CATCH_UP_MS) this.nextTickMs = now - MAX_CATCH_UP_MS;
    while (this.nextTickMs <= now) {
      const at = this.nextTickMs;
      this.nextTickMs += FRAME_MS;
      for (const sub of this.subscriptions) sub.pull(at);
    }
  };
}
