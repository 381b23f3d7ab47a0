/** Per-dispatch options. */
export interface DispatchOptions {
  /**
   * Intent flag the event belongs to (sessions without it do not get it); `null` = every session. Default: Discord's
   * mapping for the event name (see `eventIntent` in `@concord/gateway-server/intents`).
   */
  intent?: number | null;
}
