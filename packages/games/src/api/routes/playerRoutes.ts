import type { FastifyInstance } from 'fastify';
import type { GameApiContext } from '../GameApiContext.js';
import { bodyOf, idParams, reason, snowflake } from '../schemas.js';

/** Players: create, tokens, voice control and moderation, hidden channels, the audit log. Service routes. */
export function playerRoutes(app: FastifyInstance, ctx: GameApiContext): void {
  const { host } = ctx;
  const { service } = ctx;
  const params = (request: { params: unknown }) => request.params as { id: string; userId?: string };

  app.post(
    '/players',
    {
      ...service,
      schema: {
        body: {
          type: 'object',
          required: ['id', 'username'],
          additionalProperties: false,
          properties: {
            id: snowflake,
            username: { type: 'string', minLength: 1, maxLength: 32 },
            globalName: { type: 'string', minLength: 1, maxLength: 32 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = bodyOf<{ id: string; username: string; globalName?: string }>(request);
      return reply.code(201).send(await host.createPlayer(body));
    },
  );

  app.post(
    '/players/:id/tokens',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { ttlMs: { type: 'integer', minimum: 1000 }, scope: { type: 'string', maxLength: 256 } },
        },
      },
    },
    async (request) => {
      const body = bodyOf<{ ttlMs?: number; scope?: string }>(request);
      const token = host.issueToken(params(request).id, body);
      const check = host.tokens.verify(token);
      return { token, expiresAt: check.ok ? check.claims.expiresAt : null };
    },
  );

  app.patch(
    '/players/:id/voice',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            mute: { type: 'boolean' },
            deaf: { type: 'boolean' },
            channelId: { anyOf: [snowflake, { type: 'null' }] },
            reason,
          },
        },
      },
    },
    async (request, reply) => {
      const { reason: why, ...control } = bodyOf<{
        mute?: boolean;
        deaf?: boolean;
        channelId?: string | null;
        reason?: string;
      }>(request);
      await host.setVoice(params(request).id, control, why);
      return reply.code(204).send();
    },
  );

  app.put(
    '/players/:id/timeout',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['until'],
          additionalProperties: false,
          properties: { until: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }, reason },
        },
      },
    },
    async (request, reply) => {
      const body = bodyOf<{ until: string | null; reason?: string }>(request);
      await host.timeout(params(request).id, body.until === null ? null : new Date(body.until), body.reason);
      return reply.code(204).send();
    },
  );

  const withReason = { type: ['object', 'null'], additionalProperties: false, properties: { reason } } as const;
  app.post(
    '/players/:id/kick',
    { ...service, schema: { params: idParams, body: withReason } },
    async (request, reply) => {
      await host.kick(params(request).id, bodyOf<{ reason?: string }>(request).reason);
      return reply.code(204).send();
    },
  );

  app.put(
    '/bans/:id',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { deleteMessageSeconds: { type: 'integer', minimum: 0, maximum: 604800 }, reason },
        },
      },
    },
    async (request, reply) => {
      const body = bodyOf<{ deleteMessageSeconds?: number; reason?: string }>(request);
      const options =
        body.deleteMessageSeconds !== undefined ? { deleteMessageSeconds: body.deleteMessageSeconds } : {};
      await host.ban(params(request).id, options, body.reason);
      return reply.code(204).send();
    },
  );

  app.delete('/bans/:id', { ...service, schema: { params: idParams } }, async (request, reply) => {
    await host.unban(params(request).id);
    return reply.code(204).send();
  });

  app.post(
    '/channels',
    {
      ...service,
      schema: {
        body: {
          type: 'object',
          required: ['name', 'type'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            type: { enum: ['text', 'voice'] },
            hidden: { type: 'boolean' },
            reason,
          },
        },
      },
    },
    async (request, reply) => {
      const { reason: why, ...input } = bodyOf<{
        name: string;
        type: 'text' | 'voice';
        hidden?: boolean;
        reason?: string;
      }>(request);
      return reply.code(201).send(await host.createChannel(input, why));
    },
  );

  app.delete('/channels/:id', { ...service, schema: { params: idParams } }, async (request, reply) => {
    await host.closeChannel(params(request).id);
    return reply.code(204).send();
  });

  app.put(
    '/channels/:id/players/:userId',
    {
      ...service,
      schema: {
        params: { type: 'object', required: ['id', 'userId'], properties: { id: snowflake, userId: snowflake } },
        body: {
          type: 'object',
          required: ['allowed'],
          additionalProperties: false,
          properties: { allowed: { type: 'boolean' }, reason },
        },
      },
    },
    async (request, reply) => {
      const { id, userId } = params(request);
      const body = bodyOf<{ allowed: boolean; reason?: string }>(request);
      await host.allowChannel(id, userId!, body.allowed, body.reason);
      return reply.code(204).send();
    },
  );

  app.get(
    '/audit-log',
    {
      ...service,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, before: snowflake, userId: snowflake },
        },
      },
    },
    async (request) => host.auditLog(request.query as { limit?: number; before?: string; userId?: string }),
  );
}
