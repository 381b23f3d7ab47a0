import { type RawData, WebSocket } from 'ws';
import type { LiveConnection } from '../session/LiveSession.js';

/** Where a gateway socket's events go (the upgrade handler's context, see UpgradeHandler.ts). */
export interface SocketEvents {
  message(connection: LiveConnection, data: RawData, isBinary: boolean): void;
  closed(connection: LiveConnection, code: number): void;
  socketError(error: Error): void;
}

/** A `ws` WebSocket of {@link gatewaySocketClass}: carries its connection once the upgrade made one. */
export interface GatewaySocket extends WebSocket {
  connection: LiveConnection | null;
}

/**
 * The WebSocket class of one server's sockets (`ws`'s `WebSocket` server option: a subclass of its own): the events
 * the server handles go from `emit` straight to `events`, with no listener registered per socket. Three listeners
 * per socket made its `_events` dictionary (Node's EventEmitter keeps one per emitter) grow past its first size,
 * ~100 bytes more per held session; other listeners (the server's ping answer, `Connection.close`'s wait for the
 * close) are still called after ours, in the order they were added. A socket without a connection (refused at the
 * upgrade) emits as a plain `ws` WebSocket does.
 */
export function gatewaySocketClass(events: SocketEvents): new (...args: never[]) => GatewaySocket {
  return class extends WebSocket implements GatewaySocket {
    connection: LiveConnection | null = null;

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const connection = this.connection;
      if (connection === null) return super.emit(event, ...args);
      if (event === 'message') events.message(connection, args[0] as RawData, args[1] as boolean);
      else if (event === 'close') events.closed(connection, args[0] as number);
      else if (event === 'error') {
        events.socketError(args[0] as Error);
        // Handled: an EventEmitter with no 'error' listener would throw it.
        if (this.listenerCount('error') === 0) return true;
      } else return super.emit(event, ...args);
      super.emit(event, ...args);
      return true;
    }
  };
}
