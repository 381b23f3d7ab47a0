/**
 * Where the SFU's datagrams go when they are batched: written into `buffer` (at the offset `reserve` gives, then
 * `commit`ted) or copied in (`send`), and sent together at `flush`. `UdpBatch` of the optional `@concord/udp-batch`
 * package has this shape (one sendmmsg per flush); without it the SFU is handed a plain send function instead.
 */
export interface DatagramSender {
  /** The buffer to write the next datagram into; read it after `reserve` (a flush may not replace it). */
  readonly buffer: Buffer;
  /** Offset in `buffer` where a datagram of up to `size` bytes may be written (flushing first when full). */
  reserve(size: number): number;
  /** Queues the datagram written at `buffer[at, end)` for `address:port`. */
  commit(at: number, end: number, port: number, address: string): void;
  /** Copies a datagram in and queues it. */
  send(packet: Uint8Array, port: number, address: string): void;
  /** Sends everything queued. */
  flush(): unknown;
}
