import { isObject } from '../isObject.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { Session } from '../session/Session.js';
import type { GatewayMetrics, MemberRequestHandler } from '../types.js';
import { CloseCode } from '../wire/protocol.js';

/** What op 8 needs from the server. */
export interface RequestGuildMembersContext {
  readonly memberRequests: MemberRequestHandler;
  readonly metrics: GatewayMetrics | undefined;
}

/** The connection as op 8 sees it: it may be closed, unless it moved on to another session meanwhile. */
export interface MemberRequestClient {
  readonly session: unknown;
  close(code: number, reason?: string): void;
}

/** op 8 Request Guild Members: answered with GUILD_MEMBERS_CHUNKs (or RATE_LIMITED) by the member request handler. */
export async function requestGuildMembers(
  context: RequestGuildMembersContext,
  client: MemberRequestClient,
  session: Session,
  d: unknown,
): Promise<void> {
  if (!isObject(d)) {
    client.close(CloseCode.DecodeError, 'Invalid Request Guild Members');
    return;
  }
  const result = await context.memberRequests.handle(session.info(), d as never);
  if (session.destroyed) return;
  if (result.type === 'close') {
    if (client.session === session) client.close(result.code, result.reason);
    return;
  }
  for (const event of result.events) {
    if (event.t === 'RATE_LIMITED') context.metrics?.rateLimited?.('member_request');
    session.send(PreparedDispatch.forOne(event.t, event.d), true);
  }
}
