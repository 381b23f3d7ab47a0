import type { FastifyInstance } from 'fastify';
import type { Party } from '../../parties/Party.js';
import type { GameApiContext } from '../GameApiContext.js';
import { GameApiError } from '../GameApiError.js';
import { bodyOf, idParams, memberParams, snowflake } from '../schemas.js';

const joinMode = { enum: ['open', 'invite', 'closed'] } as const;

/** Parties: the game server creates, fills, changes and ends them; a player joins with a join token. */
export function partyRoutes(app: FastifyInstance, ctx: GameApiContext): void {
  const { host } = ctx;
  const { service } = ctx;
  const party = (request: { params: unknown }): Party => {
    const found = host.party((request.params as { id: string }).id);
    if (!found) throw new GameApiError(404, 'UNKNOWN_PARTY', 'No such party (ended, or never made here)');
    return found;
  };

  app.post(
    '/parties',
    {
      ...service,
      schema: {
        body: {
          type: 'object',
          required: ['leaderId'],
          additionalProperties: false,
          properties: {
            leaderId: snowflake,
            name: { type: 'string', minLength: 1, maxLength: 100 },
            capacity: { type: 'integer', minimum: 1, maximum: 99 },
            joinMode,
            matchId: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      const created = await host.createParty(bodyOf(request));
      return reply.code(201).send(created.info());
    },
  );

  app.get('/parties/:id', { ...service, schema: { params: idParams } }, async (request) => party(request).info());

  app.patch(
    '/parties/:id',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { joinMode, leaderId: snowflake },
        },
      },
    },
    async (request) => {
      const p = party(request);
      const body = bodyOf<{ joinMode?: 'open' | 'invite' | 'closed'; leaderId?: string }>(request);
      if (body.joinMode !== undefined) await p.setJoinMode(body.joinMode);
      if (body.leaderId !== undefined) await p.setLeader(body.leaderId);
      return p.info();
    },
  );

  app.delete('/parties/:id', { ...service, schema: { params: idParams } }, async (request, reply) => {
    await party(request).end('ended');
    return reply.code(204).send();
  });

  app.put('/parties/:id/members/:userId', { ...service, schema: { params: memberParams } }, async (request) => {
    const p = party(request);
    await p.add((request.params as { userId: string }).userId);
    return p.info();
  });

  app.delete('/parties/:id/members/:userId', { ...service, schema: { params: memberParams } }, async (request) => {
    const p = party(request);
    await p.kick((request.params as { userId: string }).userId);
    return p.info();
  });

  app.post(
    '/parties/:id/join-tokens',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { userId: snowflake, ttlMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 } },
        },
      },
    },
    async (request) => ({ token: party(request).createJoinToken(bodyOf(request)) }),
  );

  app.post(
    '/matches/:matchId/end',
    { ...service, schema: { params: { type: 'object', properties: { matchId: { type: 'string', maxLength: 100 } } } } },
    async (request) => ({
      ended: await host.endMatch((request.params as { matchId: string }).matchId),
    }),
  );

  // Player routes: the player's own token (Authorization: Bearer), the party's join token in the body.
  app.post(
    '/parties/:id/join',
    {
      schema: {
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { token: { type: 'string', maxLength: 4096 } },
        },
      },
    },
    async (request) => {
      const userId = ctx.requirePlayer(request);
      const p = party(request);
      const token = bodyOf<{ token?: string }>(request).token;
      await p.join(userId, token !== undefined ? { token } : {});
      return p.info();
    },
  );

  app.post('/parties/:id/leave', { schema: { params: idParams } }, async (request, reply) => {
    const userId = ctx.requirePlayer(request);
    await party(request).leave(userId);
    return reply.code(204).send();
  });
}
