import { boolParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/**
 * Interactions: invoking one as Discord's client does (`POST /interactions`, JSON or multipart `payload_json`;
 * answered 204) and answering one (`POST /interactions/{id}/{token}/callback`, no Authorization: the token is the
 * credential; `?with_response=true` answers Discord's InteractionCallbackResponse, otherwise 204). The interaction
 * webhook (`/webhooks/{app}/{token}…`) shares the channel webhooks' paths (webhookRoutes.ts).
 */
export const interactionRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/interactions',
    rule: 'interaction',
    uploads: true,
    // The channel is in the body, read after the files: an ATTACHMENT option's files are kept under `interactions/`
    // (deleted with a refusal, as every route's uploads are).
    uploadChannel: async () => 'interactions',
    handler: async (req) => {
      await req.ctx.community.interactions.invoke(
        req.user.id,
        req.body,
        req.files.map((f) => ({ index: f.index, attachment: f.attachment })),
      );
    },
  },
  {
    method: 'POST',
    path: '/interactions/:interaction_id/:interaction_token/callback',
    rule: 'interaction',
    public: true,
    uploads: true,
    strings: ['interaction_token'],
    uploadChannel: (req) =>
      req.ctx.community.interactions.channelOfInteraction(req.params.interaction_id!, req.params.interaction_token!),
    handler: (req) =>
      req.ctx.community.interactions.callback(req.params.interaction_id!, req.params.interaction_token!, req.body, {
        withResponse: boolParam(req.query, 'with_response') === true,
        attachments: req.files.map((f) => f.attachment),
      }),
  },
];
