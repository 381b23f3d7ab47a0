/**
 * The connection a command came from, as a command handler sees it: all a handler does to it is close it when the
 * command is invalid. (A `Connection` is one; a unit test passes a plain object.)
 */
export interface CommandClient {
  close(code: number, reason?: string): void;
}
