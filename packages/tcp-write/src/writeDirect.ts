import type { Socket } from 'node:net';
import { nativeBinding } from './nativeBinding.js';

/**
 * Writes `bytes[start, end)` to `socket` through `fd`, the answer of {@link directFd} for it just before (nothing in
 * between may write to it): one send(2), no stream machinery. What the kernel does not take goes to `socket.write`,
 * copied (the caller may reuse `bytes` as soon as this returns), and from there as any queued write: a full send
 * buffer drains when the peer reads (the socket's `writableLength` and 'drain' say so, as usual), and an error the
 * kernel answered (a reset peer: EPIPE, ECONNRESET) is met again by that write and reported by the socket as Node
 * reports it ('error', then 'close'). Returns the bytes sent directly.
 *
 * Not counted by Node: `socket.bytesWritten` leaves out directly sent bytes, and they do not refresh a
 * `socket.setTimeout` idle timer.
 */
export function writeDirect(socket: Socket, fd: number, bytes: Uint8Array, start: number, end: number): number {
  const sent = nativeBinding === null ? 0 : nativeBinding.send(fd, bytes, start, end);
  if (sent === end - start) return sent;
  const taken = Math.max(sent, 0);
  socket.write(Buffer.from(bytes.subarray(start + taken, end)));
  return taken;
}
