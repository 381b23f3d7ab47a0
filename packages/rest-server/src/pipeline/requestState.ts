import type { UserData } from '@concord/gateway-server';
import type { FastifyRequest } from 'fastify';

/** What the guard (guardRequest.ts) learned about a request, for the handler and the error handler. */
export interface RequestState {
  user: UserData | null;
  reason: string | undefined;
  /** The route bucket's headers, sent with the answer whatever it is. */
  headers: Record<string, string>;
}

// A WeakMap rather than a request decoration: nothing of ours shows on the integrator's requests.
const states = new WeakMap<FastifyRequest, RequestState>();

export function setRequestState(request: FastifyRequest, state: RequestState): void {
  states.set(request, state);
}

export function requestState(request: FastifyRequest): RequestState | undefined {
  return states.get(request);
}
