import type { FastifyInstance } from 'fastify';
import type { GameApiContext } from '../GameApiContext.js';
import { GameApiError } from '../GameApiError.js';
import type { GameVoice, Position, PositionalVoiceOptions } from '../GameVoice.js';
import { bodyOf, idParams, position, snowflake, userIds } from '../schemas.js';

/**
 * Voice for games: positional channels, positions per tick, teams, whispers, block lists and evidence recording. Only
 * with a `voice` option (the voice server runs in this process); without one they answer 501.
 */
export function voiceRoutes(app: FastifyInstance, ctx: GameApiContext): void {
  const { host } = ctx;
  const { service } = ctx;
  const voice = (): GameVoice => {
    if (!ctx.voice) throw new GameApiError(501, 'NO_VOICE', 'This game API was set up without a voice server');
    return ctx.voice;
  };
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.put(
    '/voice/channels/:id/positional',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: ['object', 'null'],
          required: ['range'],
          additionalProperties: false,
          properties: {
            range: { type: 'number', minimum: 0, maximum: 1e9 },
            rolloffModel: { enum: ['linear', 'inverse', 'exponential'] },
            refDistance: { type: 'number', minimum: 0, maximum: 1e9 },
            rolloffFactor: { type: 'number', minimum: 0, maximum: 100 },
            teams: { enum: ['ignore', 'radio', 'only'] },
            positionSource: { enum: ['server', 'client'] },
            clientPositionRate: { type: 'integer', minimum: 1, maximum: 240 },
          },
        },
      },
    },
    async (request, reply) => {
      voice().setPositional(host.guildId, id(request), (request.body ?? null) as PositionalVoiceOptions | null);
      return reply.code(204).send();
    },
  );

  app.put(
    '/voice/channels/:id/positions',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['positions'],
          additionalProperties: false,
          properties: {
            positions: {
              type: 'array',
              maxItems: 500,
              items: { type: 'array', minItems: 2, maxItems: 2, items: [snowflake, position] },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { positions } = bodyOf<{ positions: [string, Position | null][] }>(request);
      voice().setPositions(host.guildId, id(request), positions);
      return reply.code(204).send();
    },
  );

  app.put(
    '/voice/channels/:id/evidence',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['seconds'],
          additionalProperties: false,
          properties: { seconds: { anyOf: [{ type: 'integer', minimum: 1, maximum: 60 }, { type: 'null' }] } },
        },
      },
    },
    async (request, reply) => {
      voice().recordEvidence(host.guildId, id(request), bodyOf<{ seconds: number | null }>(request).seconds);
      return reply.code(204).send();
    },
  );

  const playerSetting = (
    path: string,
    field: string,
    schema: object,
    apply: (v: GameVoice, userId: string, value: never) => void,
  ) =>
    app.put(
      `/voice/players/:id/${path}`,
      {
        ...service,
        schema: {
          params: idParams,
          body: { type: 'object', required: [field], additionalProperties: false, properties: { [field]: schema } },
        },
      },
      async (request, reply) => {
        apply(voice(), id(request), (request.body as Record<string, never>)[field]!);
        return reply.code(204).send();
      },
    );
  playerSetting(
    'team',
    'team',
    { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'null' }] },
    (v, u, team: string | null) => v.setTeam(u, team),
  );
  playerSetting('whisper', 'to', { anyOf: [userIds, { type: 'null' }] }, (v, u, to: string[] | null) =>
    v.setWhisper(u, to),
  );
  playerSetting('blocked', 'blocked', userIds, (v, u, blocked: string[]) => v.setBlocked(u, blocked));

  // A player's block list, as Discord has it (the community's relationships: DMs refused both ways, the blocker's
  // clients told to collapse), applied to voice both ways when a voice server is here. The game backend relays what
  // its players chose in the game's own UI; players' clients may also use Discord's `PUT /users/@me/relationships`.
  const blockParams = {
    type: 'object',
    required: ['id', 'userId'],
    properties: { id: snowflake, userId: snowflake },
  } as const;
  const applyToVoice = async (userIds: string[]) => {
    if (!ctx.voice) return;
    for (const userId of userIds) ctx.voice.setBlocked(userId, await host.community.relationships.muteSet(userId));
  };
  app.put('/players/:id/blocks/:userId', { ...service, schema: { params: blockParams } }, async (request, reply) => {
    const { id: playerId, userId } = request.params as { id: string; userId: string };
    await host.community.relationships.block(playerId, userId, { type: 2 });
    await applyToVoice([playerId, userId]);
    return reply.code(204).send();
  });
  app.delete('/players/:id/blocks/:userId', { ...service, schema: { params: blockParams } }, async (request, reply) => {
    const { id: playerId, userId } = request.params as { id: string; userId: string };
    await host.community.relationships.unblock(playerId, userId);
    await applyToVoice([playerId, userId]);
    return reply.code(204).send();
  });
  app.get('/players/:id/blocks', { ...service, schema: { params: idParams } }, async (request) =>
    host.community.relationships.list(id(request)),
  );
}
