import { createHmac } from 'node:crypto';

export const SECRET = 'a test secret that is long enough for HS256 (>= 32 bytes)';
export const OTHER_SECRET = 'another secret, also long enough for HS256 signing';
export const USER = '175928847299117063';

/** A token signed by hand (header and claims as given), as another signer would make it. */
export function signToken(header: object, claims: object, secret: string = SECRET): string {
  const signed = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

export function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A clock the test moves (Unix ms). */
export function manualClock(start = Date.UTC(2026, 11, 5, 12)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}
