import type { FastifyInstance } from 'fastify';
import type { GameCaptions } from '../../speech/GameCaptions.js';
import type { GameApiContext } from '../GameApiContext.js';
import { GameApiError } from '../GameApiError.js';
import { bodyOf, idParams, snowflake } from '../schemas.js';

/**
 * Captions and text to speech (speech/GameCaptions.ts) for a backend in any language: link a voice channel's
 * transcripts to a text channel, speak into a voice channel. They need `host.speech(…)` set up in this process
 * (with a transcriber, a synthesizer); without it they answer 501.
 */
export function speechRoutes(app: FastifyInstance, ctx: GameApiContext): void {
  const { host } = ctx;
  const { service } = ctx;
  const captions = (what: 'transcriber' | 'synthesizer'): GameCaptions => {
    const c = host.captions;
    if (!c?.has(what)) throw new GameApiError(501, 'NO_SPEECH', `This game has no ${what} set up (host.speech)`);
    return c;
  };
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.put(
    '/voice/channels/:id/captions',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['textChannelId'],
          additionalProperties: false,
          properties: { textChannelId: { anyOf: [snowflake, { type: 'null' }] } },
        },
      },
    },
    async (request, reply) => {
      const { textChannelId } = bodyOf<{ textChannelId: string | null }>(request);
      const c = captions('transcriber');
      if (textChannelId === null) c.unlink(id(request));
      else c.link(id(request), textChannelId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/voice/channels/:id/speak',
    {
      ...service,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { text: { type: 'string', minLength: 1, maxLength: 500 } },
        },
      },
    },
    async (request, reply) => {
      const c = captions('synthesizer');
      try {
        await c.speak(id(request), bodyOf<{ text: string }>(request).text);
      } catch (error) {
        // The voice server's bounds (speeches queued, narrators at once): try again later.
        if (error instanceof RangeError) throw new GameApiError(429, 'VOICE_BUSY', 'Too much speech at once');
        throw error;
      }
      return reply.code(204).send();
    },
  );
}
