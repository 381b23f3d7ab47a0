import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * The one file that reads private fields of Node's http server and sockets. They are stable in practice but not public
 * API: whoever upgrades Node checks here, and each reader has a fallback that only costs memory or speed.
 */

/** Node's http server keeps the response that currently owns a socket in `_httpMessage` (`ServerResponse.assignSocket`). */
type ResponseSocket = Duplex & { _httpMessage?: (EventEmitter & { writableFinished?: boolean }) | null };

/**
 * The response of the socket's current HTTP connection state that is still being written, or null when none is (or
 * the field is not there: then the caller goes on at once, as for an idle socket).
 */
export function unfinishedResponseOf(socket: Duplex): EventEmitter | null {
  const current = (socket as ResponseSocket)._httpMessage;
  return current && current.writableFinished !== true ? current : null;
}

/** Node's net.Socket keeps its idle timer (`socket.setTimeout`) under a private `Symbol(timeout)`. */
let timerKey: symbol | undefined;

/**
 * Forgets a socket's idle timer once it is off (`socket.timeout === 0`). An HTTP server with a connection timeout
 * (Fastify's `connectionTimeout`) arms one per connection; `ws` turns it off at the upgrade, but Node keeps the
 * cleared Timeout and its bound callback on the socket for its life (~170 bytes per held session) and refreshes it on
 * every read and write. An armed timer is left alone; a Node without the field is left as it is.
 */
export function dropClearedIdleTimer(socket: Duplex): void {
  if ((socket as { timeout?: number }).timeout !== 0) return;
  timerKey ??= Object.getOwnPropertySymbols(socket).find((key) => key.description === 'timeout');
  if (timerKey === undefined || !(timerKey in socket)) return;
  (socket as unknown as Record<symbol, unknown>)[timerKey] = null;
}

/** A net.Socket's libuv handle as far as its peer address goes (`TCP`/`Pipe` of Node's bindings). */
type PeerHandle = { getpeername?: (out: { address?: unknown }) => number };
/** Where the handle writes the peer's address: one object, read at once and reused. */
const peer: { address?: unknown } = {};

/**
 * The peer's address of a socket, read without Node caching it: `socket.remoteAddress` keeps the whole
 * `{ address, family, port }` answer on the socket for its life (`_peername`, ~56 bytes per held session), where we
 * need the address once. Reads the handle into a reused object as Node's own `_getpeername` does; falls back to
 * `remoteAddress` (cached, as before) when the socket is not a plain connected one or the handle answers otherwise.
 * '' when the socket has no address (closed, or not a network socket).
 */
export function peerAddressOf(socket: Duplex): string {
  const s = socket as Duplex & {
    _handle?: PeerHandle | null;
    _peername?: unknown;
    connecting?: boolean;
    remoteAddress?: string;
  };
  const handle = s._handle;
  if (s._peername == null && s.connecting !== true && handle != null && typeof handle.getpeername === 'function') {
    peer.address = undefined;
    const failed = handle.getpeername(peer);
    const address = peer.address;
    peer.address = undefined;
    if (failed === 0 && typeof address === 'string') return address;
  }
  return s.remoteAddress ?? '';
}
