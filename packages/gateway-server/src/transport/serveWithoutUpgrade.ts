import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { unfinishedResponseOf } from './socketInternals.js';

/** true when an `Upgrade` header asks for a WebSocket (`websocket`, possibly among other protocols, in any case). */
export function wantsWebSocket(upgrade: string | undefined): boolean {
  if (upgrade === 'websocket') return true; // what every client sends: no split per connection
  return typeof upgrade === 'string' && upgrade.split(',').some((p) => p.trim().toLowerCase() === 'websocket');
}

/**
 * Serves a request that asked for an upgrade we do not offer (`Upgrade: h2c`, which the JDK's HttpClient sends by
 * default) as the plain HTTP/1.1 request it also is: a server may ignore Upgrade (RFC 9110 §7.8). Node routes every
 * request with an Upgrade header to the 'upgrade' event once anyone listens to it, and by then its HTTP parser has let
 * go of the socket. So the request head is written back without the upgrade (the `Upgrade` header and the `upgrade`
 * token of `Connection`), followed by the bytes already read past it, and the socket is handed to the server as a new
 * connection (Node documents emitting 'connection' to inject one): the request handlers get the request, its body and
 * whatever follows on a keep-alive connection, exactly as without the header.
 */
export function serveWithoutUpgrade(server: HttpServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') continue;
    if (lower === 'connection') {
      const kept = raw[i + 1]!.split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '' && t.toLowerCase() !== 'upgrade');
      if (kept.length > 0) lines.push(`${name}: ${kept.join(', ')}`);
      continue;
    }
    lines.push(`${name}: ${raw[i + 1]}`);
  }
  // Header values are Latin-1 on the wire, as Node's parser read them.
  const rebuilt = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  whenIdle(socket, () => {
    socket.unshift(head.length > 0 ? Buffer.concat([rebuilt, head]) : rebuilt);
    // An HTTPS server's request handling hangs off 'secureConnection' (the socket here is already the TLS one).
    server.emit(server instanceof HttpsServer ? 'secureConnection' : 'connection', socket);
  });
}

/**
 * Runs `then` once no response of the previous connection state is being written on the socket. A keep-alive client
 * may pipeline requests before this one; their responses are chained by that state, and the new state would queue its
 * responses behind one it never sees finish. A socket that closes meanwhile needs nothing more.
 */
function whenIdle(socket: Duplex, then: () => void): void {
  const current = unfinishedResponseOf(socket);
  if (current === null) {
    then();
    return;
  }
  const onClose = () => current.off('finish', onFinish);
  const onFinish = () => {
    socket.off('close', onClose);
    // The previous state assigns its next queued response in its own 'finish' listener, which ran before this one.
    setImmediate(() => {
      if (!socket.destroyed) whenIdle(socket, then);
    });
  };
  current.once('finish', onFinish);
  socket.once('close', onClose);
}
