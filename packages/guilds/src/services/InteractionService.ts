import type { SerializedMessage } from '@concord/gateway-server/serialize';
import type { APIAttachment } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import type { ApplicationCommandService } from './ApplicationCommandService.js';

/** Files of a multipart request, already stored as attachments. */
export interface InteractionUploads {
  attachments?: APIAttachment[];
}

/**
 * Interactions: invoking (`POST /interactions`), responding (`POST /interactions/{id}/{token}/callback`) and the
 * interaction webhook (`/webhooks/{app}/{token}…`: the original response and follow-ups).
 */
export class InteractionService {
  constructor(
    private readonly ctx: CommunityContext,
    private readonly commands: ApplicationCommandService,
  ) {}

  /** `GET /webhooks/{app}/{token}/messages/{message|@original}`. */
  getMessage(_applicationId: string, _token: string, _messageId: string): Promise<SerializedMessage> {
    void this.ctx;
    void this.commands;
    throw new Error('not implemented');
  }

  /** `PATCH /webhooks/{app}/{token}/messages/{message|@original}`. */
  editMessage(
    _applicationId: string,
    _token: string,
    _messageId: string,
    _body: unknown,
    _uploads: InteractionUploads = {},
  ): Promise<SerializedMessage> {
    throw new Error('not implemented');
  }

  /** `DELETE /webhooks/{app}/{token}/messages/{message|@original}`. */
  deleteMessage(_applicationId: string, _token: string, _messageId: string): Promise<void> {
    throw new Error('not implemented');
  }

  /** `POST /webhooks/{app}/{token}`: a follow-up message (always answered with the message, as `wait=true`). */
  followUp(
    _applicationId: string,
    _token: string,
    _body: unknown,
    _uploads: InteractionUploads = {},
  ): Promise<SerializedMessage> {
    throw new Error('not implemented');
  }

  /** The channel an interaction token's messages go to (where multipart uploads are stored). */
  channelOf(_applicationId: string, _token: string): Promise<string> {
    throw new Error('not implemented');
  }
}
