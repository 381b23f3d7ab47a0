import type { Socket } from 'node:dgram';
import { type NativeBinding, nativeBinding } from './nativeBinding.js';
import { socketFd } from './socketFd.js';
import { UdpBatchError } from './UdpBatchError.js';

export interface UdpBatchOptions {
  /** Bytes of the arena datagrams are written into before a flush (default 256 KiB). */
  arenaBytes?: number;
  /** Datagrams per flush; a full batch flushes by itself (default 512, at most 1024). */
  maxDatagrams?: number;
  /** Use the native sendmmsg path when available (default true); false: always one `socket.send` per datagram. */
  native?: boolean;
}

export const UDP_BATCH_DEFAULTS = {
  arenaBytes: 256 * 1024,
  maxDatagrams: 512,
  native: true,
} as const satisfies Required<UdpBatchOptions>;

/** Counters of a UdpBatch. */
export interface UdpBatchStats {
  /** Datagrams the kernel took through sendmmsg. */
  sent: number;
  /** sendmmsg calls made. */
  syscalls: number;
  /**
   * Datagrams handed to `socket.send` instead: the whole batch without the native module, or the rest of a batch the
   * kernel refused for now (EAGAIN/ENOBUFS: a full send buffer; the socket's own queue sends them when it drains).
   */
  viaSocket: number;
  /** Datagrams the kernel refused for their destination (e.g. EPERM, ENETUNREACH): dropped, the rest still go. */
  failed: number;
}

const META = 4; // offset, length, IPv4 address (host order), port
const EAGAIN = 11;
const ENOBUFS = 105;

/** Parses a dotted IPv4 address to a 32-bit number, or -1. */
function parseIpv4(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) return -1;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return -1;
    const n = Number(part);
    if (n > 255) return -1;
    value = value * 256 + n;
  }
  return value;
}

/**
 * Datagrams to many destinations sent from one bound UDP socket with one `sendmmsg(2)` per flush. Write datagrams
 * into `buffer` (`reserve`, then `commit`) or copy them in (`send`), and call `flush` once the burst is queued (e.g.
 * at the end of handling one incoming packet); nothing is sent before. Without the native module (other OS, not
 * built) or on a socket it cannot use (IPv6, unbound), every datagram goes through `socket.send` at flush time, in
 * order: the same bytes reach the same addresses either way.
 */
export class UdpBatch {
  public readonly stats: UdpBatchStats = { sent: 0, syscalls: 0, viaSocket: 0, failed: 0 };
  /** The arena: write a datagram at the offset `reserve` returned. Replaced by nothing; reused after every flush. */
  public readonly buffer: Buffer;
  readonly #socket: Socket;
  readonly #meta: Uint32Array;
  readonly #max: number;
  readonly #native: NativeBinding | null;
  readonly #addresses = new Map<string, number>();
  #fd = -1;
  #count = 0;
  #used = 0;

  public constructor(socket: Socket, options: UdpBatchOptions = {}) {
    const arenaBytes = options.arenaBytes ?? UDP_BATCH_DEFAULTS.arenaBytes;
    const max = options.maxDatagrams ?? UDP_BATCH_DEFAULTS.maxDatagrams;
    if (!(Number.isInteger(arenaBytes) && arenaBytes >= 65_536))
      throw new UdpBatchError('BAD_ARGUMENT', 'arenaBytes must be an integer ≥ 65536');
    if (!(Number.isInteger(max) && max >= 1 && max <= 1024))
      throw new UdpBatchError('BAD_ARGUMENT', 'maxDatagrams must be an integer in 1..1024');
    this.#socket = socket;
    this.buffer = Buffer.allocUnsafe(arenaBytes);
    this.#meta = new Uint32Array(max * META);
    this.#max = max;
    this.#native = (options.native ?? UDP_BATCH_DEFAULTS.native) ? nativeBinding() : null;
  }

  /** Whether flushes go through sendmmsg (false: through `socket.send`, before the socket is bound or without it). */
  public get native(): boolean {
    return this.#native !== null && this.#descriptor() >= 0;
  }

  /** Datagrams queued and not yet flushed. */
  public get pending(): number {
    return this.#count;
  }

  /** The offset in `buffer` a datagram of up to `size` bytes may be written at (flushing first when full). */
  public reserve(size: number): number {
    if (size > this.buffer.length) throw new UdpBatchError('BAD_ARGUMENT', `datagram of ${size} bytes over the arena`);
    if (this.#used + size > this.buffer.length || this.#count === this.#max) this.flush();
    return this.#used;
  }

  /** Queues the datagram written at `buffer[at, end)` (after `reserve`) for `address:port`. */
  public commit(at: number, end: number, port: number, address: string): void {
    if (!(Number.isInteger(port) && port > 0 && port < 65_536)) {
      // What socket.send would throw for: refused for this datagram alone, as the kernel refuses a bad destination.
      this.stats.failed++;
      return;
    }
    let ip = this.#addresses.get(address);
    if (ip === undefined) {
      ip = parseIpv4(address);
      // Bounded: a server talks to a bounded set of peers, but never let a map grow without limit.
      if (this.#addresses.size > 65_536) this.#addresses.clear();
      this.#addresses.set(address, ip);
    }
    if (ip < 0) {
      // Not an IPv4 literal (IPv6, a name): sent on its own after what is queued, in order.
      const copy = Buffer.from(this.buffer.subarray(at, end));
      this.flush();
      try {
        this.#socket.send(copy, port, address, this.#sent);
        this.stats.viaSocket++;
      } catch {
        this.stats.failed++;
      }
      return;
    }
    const m = this.#count * META;
    this.#meta[m] = at;
    this.#meta[m + 1] = end - at;
    this.#meta[m + 2] = ip;
    this.#meta[m + 3] = port;
    this.#count++;
    this.#used = end;
  }

  /** Copies `packet` into the arena and queues it for `address:port`. */
  public send(packet: Uint8Array, port: number, address: string): void {
    const at = this.reserve(packet.length);
    this.buffer.set(packet, at);
    this.commit(at, at + packet.length, port, address);
  }

  /**
   * Sends everything queued: one sendmmsg per call the kernel takes whole (it may take fewer: the rest follow). A
   * datagram refused for its destination is counted in `failed` and skipped (the others still go); a full send buffer
   * hands the rest to `socket.send`, whose queue sends them once the socket drains. Returns the datagrams flushed.
   */
  public flush(): number {
    const count = this.#count;
    if (count === 0) return 0;
    const native = this.#native;
    const fd = native ? this.#descriptor() : -1;
    // Datagrams already waiting in libuv's queue go first: a sendmmsg now would overtake them.
    if (native && fd >= 0 && this.#socket.getSendQueueCount() === 0) {
      let i = 0;
      while (i < count) {
        const r = native.sendBatch(fd, this.buffer, this.#meta, i, count - i);
        this.stats.syscalls++;
        if (r > 0) {
          this.stats.sent += r;
          i += r;
        } else if (r === -EAGAIN || r === -ENOBUFS) break;
        else {
          // sendmmsg reports the first datagram's error only when nothing was sent: skip that one, go on.
          this.stats.failed++;
          i++;
        }
      }
      if (i < count) this.#viaSocket(i, count);
    } else this.#viaSocket(0, count);
    this.#count = 0;
    this.#used = 0;
    return count;
  }

  #viaSocket(from: number, to: number): void {
    const meta = this.#meta;
    for (let i = from; i < to; i++) {
      const m = i * META;
      const ip = meta[m + 2]!;
      const address = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      // A copy: the arena is reused by the next batch while the socket may still hold the datagram.
      const copy = Buffer.from(this.buffer.subarray(meta[m]!, meta[m]! + meta[m + 1]!));
      try {
        this.#socket.send(copy, meta[m + 3]!, address, this.#sent);
        this.stats.viaSocket++;
      } catch {
        // A closed socket: this datagram is lost, the others are still tried (they fail the same way).
        this.stats.failed++;
      }
    }
  }

  readonly #sent = (error: Error | null): void => {
    if (error) this.stats.failed++;
  };

  #descriptor(): number {
    if (this.#fd < 0) {
      // Only IPv4 sockets: the native side builds sockaddr_in.
      let family = '';
      try {
        family = this.#socket.address().family;
      } catch {
        return -1; // not bound yet
      }
      if (family === 'IPv4') this.#fd = socketFd(this.#socket);
    }
    return this.#fd;
  }
}
