import type { FastifyInstance } from 'fastify';
import type { ReportDesk } from '../../safety/ReportDesk.js';
import type { GameApiContext } from '../GameApiContext.js';
import { GameApiError } from '../GameApiError.js';
import { bodyOf, idParams, reason, snowflake } from '../schemas.js';

/** Reports: a player files one (their own token), the game's moderators list and resolve them (service token). */
export function reportRoutes(app: FastifyInstance, ctx: GameApiContext): void {
  const { service } = ctx;
  const desk = (): ReportDesk => {
    if (!ctx.host.reports) throw new GameApiError(501, 'NO_REPORTS', 'This game host was set up without reports');
    return ctx.host.reports;
  };

  app.post(
    '/reports',
    {
      schema: {
        body: {
          type: 'object',
          required: ['targetId', 'reason'],
          additionalProperties: false,
          properties: {
            targetId: snowflake,
            reason: { ...reason, minLength: 1 },
            channelId: snowflake,
            messageIds: { type: 'array', items: snowflake, maxItems: 25, uniqueItems: true },
            includeAudio: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const reporterId = ctx.requirePlayer(request);
      const body = bodyOf<{
        targetId: string;
        reason: string;
        channelId?: string;
        messageIds?: string[];
        includeAudio?: boolean;
      }>(request);
      if (body.targetId === reporterId) throw new GameApiError(400, 'SELF_REPORT', 'A player cannot report themselves');
      const report = await desk().file({ ...body, reporterId });
      // The reporter learns the report exists, not what evidence was gathered about the other player.
      return reply.code(201).send({ id: report.id, status: report.status });
    },
  );

  app.get(
    '/reports',
    {
      ...service,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            targetId: snowflake,
            status: { enum: ['open', 'resolved'] },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            before: snowflake,
          },
        },
      },
    },
    async (request) => desk().list(request.query as Parameters<ReportDesk['list']>[0]),
  );

  app.get('/reports/:id', { ...service, schema: { params: idParams } }, async (request) => {
    const report = await desk().get((request.params as { id: string }).id);
    if (!report) throw new GameApiError(404, 'UNKNOWN_REPORT', 'No such report');
    return report;
  });

  app.post(
    '/reports/:id/resolve',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['by', 'outcome'],
          additionalProperties: false,
          properties: { by: { type: 'string', minLength: 1, maxLength: 100 }, outcome: { ...reason, minLength: 1 } },
        },
      },
    },
    async (request) => {
      const id = (request.params as { id: string }).id;
      if (!(await desk().get(id))) throw new GameApiError(404, 'UNKNOWN_REPORT', 'No such report');
      return desk().resolve(id, bodyOf(request));
    },
  );
}
