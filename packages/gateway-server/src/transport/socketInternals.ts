import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * The one file that reads private fields of `ws` and of Node's http server. Both are stable in practice but not
 * public API: whoever upgrades `ws` or Node checks here, and each reader has a fallback that only costs speed.
 */

/** The parts of a `ws` WebSocket the dispatch fast path writes through (ws ≥ 8.17). */
interface WsInternals {
  readonly _socket?: Socket | null;
  readonly _sender?: { readonly _state?: number; readonly _bufferedBytes?: number } | null;
}

/**
 * The socket under `ws` when a prebuilt frame may be written to it directly: open, and the `ws` Sender idle (it only
 * queues while deflating or reading a Blob, neither of which the gateway does), so frames stay in order. null = use
 * `ws.send` (not open, busy, or a `ws` without these fields).
 */
export function writableSocketOf(ws: WebSocket): Socket | null {
  if (ws.readyState !== 1) return null;
  const internals = ws as unknown as WsInternals;
  const socket = internals._socket;
  const sender = internals._sender;
  if (!socket || !sender || sender._state !== 0 || socket.destroyed) return null;
  return socket;
}

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
