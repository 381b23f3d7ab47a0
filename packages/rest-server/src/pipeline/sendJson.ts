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
  // Bytes, not a string: Fastify would append `; charset=utf-8` to a string's type, and discord.py reads a body as
  // JSON only when Content-Type is exactly `application/json` (as Discord sends it); its serializer never sees it.
  return reply.type('application/json').send(Buffer.from(JSON.stringify(body)));
}
