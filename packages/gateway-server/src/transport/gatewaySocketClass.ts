import type { Duplex } from 'node:stream';
import type { LiveConnection } from '../session/LiveSession.js';
import { GatewaySocket } from './GatewaySocket.js';

/** Where a gateway socket's events go (the upgrade handler's context, see UpgradeHandler.ts), and its limits. */
export interface SocketEvents {
  /** The largest client message read (bigger ones are refused with 1009 before they are read). */
  readonly maxPayload: number;
  /** A client whose unread pongs leave more than this buffered is cut (as `ws`'s own ping answer did). */
  readonly maxBufferedBytes: number;
  message(connection: LiveConnection, data: Buffer, isBinary: boolean): void;
  closed(connection: LiveConnection, code: number): void;
  socketError(error: Error): void;
}

/**
 * The class of one server's sockets: a {@link GatewaySocket} whose hooks go straight to `events`, captured once per
 * server rather than kept in (or closed over by) every socket. A socket without a connection (refused at the upgrade
 * with 4012) only reports errors.
 */
export function gatewaySocketClass(events: SocketEvents): new (socket: Duplex) => GatewaySocket<LiveConnection> {
  const { maxPayload, maxBufferedBytes } = events;
  return class ServerGatewaySocket extends GatewaySocket<LiveConnection> {
    protected override get maxPayload(): number {
      return maxPayload;
    }

    protected override onMessage(data: Buffer, binary: boolean): void {
      const connection = this.connection;
      if (connection !== null) events.message(connection, data, binary);
    }

    /** Answered with a pong (RFC 6455 §5.5.2) unless the client leaves them unread: then it is cut. */
    protected override onPing(data: Buffer): void {
      if (this.bufferedAmount > maxBufferedBytes) this.terminate();
      else super.onPing(data);
    }

    protected override onClosed(code: number): void {
      const connection = this.connection;
      if (connection !== null) events.closed(connection, code);
    }

    protected override onError(error: Error): void {
      events.socketError(error);
    }
  };
}
