/**
 * The test-only contract hook: when installed (src/contract/installContractCheck.ts, from a test setup or
 * `CONCORD_CONTRACT_CHECK`), every dispatch the gateway prepares and every REST answer an application reports is shown
 * to it. Kept on `globalThis` under a registered symbol so the copy of this module in dist/ (used by other packages'
 * tests) and the one in src/ (this package's tests) share one hook. Off, it costs one property read per dispatch.
 */
export interface OutgoingCheck {
  dispatch(event: string, data: unknown): void;
  /** `route` is the route template (`GET /channels/:channel_id/messages`), `status` the HTTP status sent. */
  rest(route: string, status: number, body: unknown): void;
}

const KEY = Symbol.for('concord.outgoingCheck');
const slot = globalThis as { [KEY]?: OutgoingCheck };

export function setOutgoingCheck(check: OutgoingCheck | undefined): void {
  slot[KEY] = check;
}

export function outgoingCheck(): OutgoingCheck | undefined {
  return slot[KEY];
}
