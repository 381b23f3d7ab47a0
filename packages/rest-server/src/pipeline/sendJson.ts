import { outgoingCheck } from '@concord/gateway-server';
import type { FastifyReply } from 'fastify';

/**
 * Sends an answer: `body` as JSON, or nothing (204). Every answer goes through here so the test-only contract check
 * (packages/gateway-server/src/contract/outgoingCheck.ts) sees each one with its route template and status.
 */
export function sendJson(
  reply: FastifyReply,
  template: string,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): FastifyReply {
  outgoingCheck()?.rest(template, status, body);
  reply.code(status).headers(headers);
  if (body === undefined) return reply.send();
  // A string payload is sent as it is: Fastify's serializer never sees (or reshapes) the body.
  return reply.type('application/json').send(JSON.stringify(body));
}
