import type { AuthenticateContext } from '@concord/gateway-server';

/** Where a REST request (the socket's address) or a gateway connection (the gateway's context) comes from. */
export type { AuthenticateContext };

/** Who a token belongs to. */
export interface AuthenticatedIdentity {
  id: string;
  username: string;
  bot?: boolean;
}

/**
 * Production hook: a token (without `Bot `) → the user it belongs to, or null to refuse it. `context` tells where the
 * request comes from (REST: the socket's address; gateway: the connection's).
 */
export type Authenticate = (
  token: string,
  context: AuthenticateContext,
) => Promise<AuthenticatedIdentity | null> | AuthenticatedIdentity | null;
