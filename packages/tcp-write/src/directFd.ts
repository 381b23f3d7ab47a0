import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { nativeBinding } from './nativeBinding.js';

/** What `directFd` reads of a net.Socket beyond its public API. */
interface SocketInternals {
  encrypted?: boolean;
  _handle?: { fd?: unknown } | null;
}

/**
 * The descriptor `socket`'s next bytes may be written to at once ({@link writeDirect}), or -1. It is one only while
 * that cannot reorder or corrupt anything: the native module is here; `socket` is a net.Socket that is not TLS (a
 * TLSSocket's handle answers with the descriptor under the encryption); it is connected and writable (not destroyed:
 * a closed descriptor's number is soon another socket's; not ended); nothing is queued in it or in libuv, and it is not corked. Read it
 * again for every write: a write queued in between changes the answer.
 */
export function directFd(socket: Duplex): number {
  if (
    nativeBinding === null ||
    !(socket instanceof Socket) ||
    // Not writable: destroyed, errored, or ended (bytes sent past end() would go out before the FIN it asked for).
    !socket.writable ||
    socket.connecting ||
    socket.writableLength !== 0 ||
    socket.writableCorked !== 0
  ) {
    return -1;
  }
  const internals = socket as unknown as SocketInternals;
  if (internals.encrypted === true) return -1;
  // Node's TCP and pipe handles expose the descriptor as `fd` (Unix; -1 on Windows and for a handle without one).
  const fd = internals._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}
