import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import { CloseCode } from '../wire/protocol.js';
import type { GatewayCommand } from './readCommand.js';

/** How one client opcode is handled. */
export type OpHandler =
  | {
      /** Accepted before Identify/Resume (heartbeat, Identify, Resume). */
      readonly session: false;
      handle(connection: LiveConnection, d: unknown): void;
    }
  | {
      /** Needs an identified session: without one the connection is closed with 4003. */
      readonly session: true;
      handle(connection: LiveConnection, session: LiveSession, d: unknown): void;
    };

/** The inbound op table: client opcode → its handler. An opcode not in it closes the connection with 4001. */
export type OpTable = ReadonlyMap<number, OpHandler>;

/** Routes a decoded command through the table. */
export function routeCommand(table: OpTable, connection: LiveConnection, command: GatewayCommand): void {
  const handler = table.get(command.op);
  if (handler === undefined) {
    connection.close(CloseCode.UnknownOpcode, 'Unknown opcode');
    return;
  }
  if (!handler.session) {
    handler.handle(connection, command.d);
    return;
  }
  const session = connection.session;
  if (!session) {
    connection.close(CloseCode.NotAuthenticated, 'Not authenticated');
    return;
  }
  handler.handle(connection, session, command.d);
}
