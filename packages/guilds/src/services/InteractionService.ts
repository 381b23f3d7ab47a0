import { timingSafeEqual } from 'node:crypto';
import type { SerializedMessage } from '@concord/gateway-server/serialize';
import type { APIAttachment, APIMessageInteractionMetadata } from 'discord-api-types/v10';
import { InteractionType, PermissionFlagsBits as P, InteractionResponseType as R } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { InteractionMessages } from '../interactions/InteractionMessages.js';
import { InvocationReader, type InvokedInteraction } from '../interactions/InvocationReader.js';
import { type InteractionClocks, interactionDefaults } from '../interactions/interactionDefaults.js';
import { interactionPayload } from '../interactions/interactionPayload.js';
import { readCallback, readResponseMessage } from '../interactions/readCallback.js';
import { readInvocation } from '../interactions/readInvocation.js';
import { INTERACTION_PARTITION, type InteractionRecord } from '../model/interactionRecords.js';
import { DM_PARTITION } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { put, remove, removeAll } from '../store/CommunityRepository.js';
import type { ApplicationCommandService } from './ApplicationCommandService.js';
import type { DmService } from './DmService.js';
import { interactionIdFromToken, mintInteractionToken } from './interactionToken.js';
import { type ResolvedChannel, resolveChannel } from './resolveChannel.js';

/** Files of a multipart request, already stored as attachments. */
export interface InteractionUploads {
  attachments?: APIAttachment[];
}

/** `POST /interactions/{id}/{token}/callback?with_response=true`'s answer (Discord's InteractionCallbackResponse). */
export interface InteractionCallbackResponse {
  interaction: {
    id: string;
    type: InteractionType;
    response_message_id?: string;
    response_message_loading?: boolean;
    response_message_ephemeral?: boolean;
  };
  resource?: { type: R; message?: SerializedMessage };
}

/**
 * Interactions, both sides: a user invokes (`POST /interactions`, as Discord's client does: a command, an
 * autocomplete, a component click, a modal submit), checked against what the application registered or sent; the
 * application's sessions get INTERACTION_CREATE with a token. The application answers once within the deadline
 * (`POST /interactions/{id}/{token}/callback`: a message, a deferred "thinking…" message, a message update,
 * autocomplete choices or a modal), then uses the token for 15 minutes on `/webhooks/{app}/{token}` (the original
 * response, follow-ups). The invoker's sessions hear the outcome: INTERACTION_CREATE/SUCCESS `{ id, nonce }`,
 * INTERACTION_FAILURE after the deadline, INTERACTION_MODAL_CREATE, APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE.
 * Interactions are records in the entity store, so the callback and the webhook work on any node of a cluster; the
 * deadline's failure notice comes from the node that took the invocation.
 */
export class InteractionService {
  readonly #messages: InteractionMessages;
  readonly #reader: InvocationReader;
  readonly #clocks: InteractionClocks;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #lastSweep = 0;

  constructor(
    private readonly ctx: CommunityContext,
    commands: ApplicationCommandService,
    dms: DmService,
    clocks: Partial<InteractionClocks> = {},
  ) {
    this.#clocks = { ...interactionDefaults, ...clocks };
    this.#messages = new InteractionMessages(ctx);
    this.#reader = new InvocationReader(ctx, commands, dms, this.#messages);
  }

  /**
   * `POST /interactions` by `actorId` (with the files of a multipart request, for ATTACHMENT options): checks the invocation (50035 for what does not fit; 10063 for a command the
   * user cannot use there; 10002 for an unknown application), stores the interaction and sends INTERACTION_CREATE
   * to the application. Resolves once sent (the route answers 204).
   */
  async invoke(
    actorId: string,
    body: unknown,
    uploads: { index: number; attachment: APIAttachment }[] = [],
  ): Promise<{ id: string }> {
    const { ctx } = this;
    const invocation = readInvocation(body);
    const app = await ctx.users.get(invocation.applicationId);
    if (!app?.bot) throw new UnknownEntityError('application');
    const target = await resolveChannel(ctx, actorId, invocation.channelId);
    if (target.guildId !== invocation.guildId) throw new UnknownEntityError('channel');
    if (target.guildId !== null && invocation.type !== InteractionType.ModalSubmit)
      assertPermissions(target.permissions, P.UseApplicationCommands);
    const invoker = await ctx.users.get(actorId);
    if (!invoker) throw new UnknownEntityError('user');
    const id = ctx.nextId();
    const files = new Map(uploads.map((u) => [String(u.index), u.attachment] as const));
    const read: InvokedInteraction = await this.#reader.read(id, invoker, invocation, target, files);
    const record: InteractionRecord = {
      id,
      application_id: invocation.applicationId,
      type: invocation.type,
      token: mintInteractionToken(id),
      user_id: actorId,
      guild_id: target.guildId,
      channel_id: invocation.channelId,
      session_id: invocation.sessionId,
      nonce: invocation.nonce,
      created_at: ctx.now(),
      response_type: null,
      failed: false,
      original_message_id: null,
      ephemeral: false,
      message_id: read.message?.id ?? null,
      metadata: read.metadata,
      message_type: read.messageType,
      modal: null,
      name: read.name,
      ...(read.autocompleteType !== undefined ? { autocomplete_type: read.autocompleteType } : {}),
    };
    await ctx.repo.write([put('interaction', INTERACTION_PARTITION, id, record)]);
    const payload = interactionPayload(record, read.data, read.place, invoker, read.message);
    ctx.gateway()?.dispatchToUsers([record.application_id], 'INTERACTION_CREATE', payload as never);
    this.#armDeadline(record);
    this.#sweep();
    return { id };
  }

  /**
   * `POST /interactions/{id}/{token}/callback`: the initial response, once (40060 for a second one), within the
   * deadline (10062 after it, as for an unknown interaction or a wrong token). A refused body (50035) leaves the
   * interaction unanswered. With `withResponse`, answers Discord's InteractionCallbackResponse; otherwise nothing (204).
   */
  async callback(
    interactionId: string,
    token: string,
    body: unknown,
    options: { withResponse?: boolean; attachments?: APIAttachment[] } = {},
  ): Promise<InteractionCallbackResponse | undefined> {
    const { ctx } = this;
    const record = await ctx.repo.get('interaction', INTERACTION_PARTITION, interactionId);
    if (!record || !sameToken(record.token, token)) throw new UnknownEntityError('interaction');
    if (record.failed || ctx.now() - record.created_at > this.#clocks.deadlineMs)
      throw new UnknownEntityError('interaction');
    const response = readCallback(body, record.type, {
      hasMessage: record.message_id !== null,
      autocompleteType: record.autocomplete_type,
      attachments: options.attachments ?? [],
    });
    await this.#claim(record, response.type);
    let answer: { message?: SerializedMessage; original: string | null; ephemeral: boolean; loading?: boolean };
    try {
      answer = await this.#respond(record, response);
    } catch (error) {
      await this.#unclaim(record);
      throw error;
    }
    const modal = response.type === R.Modal ? response.modal : null;
    await ctx.repo.update('interaction', INTERACTION_PARTITION, record.id, (current) =>
      current
        ? {
            value: {
              ...current,
              original_message_id: answer.original,
              ephemeral: answer.ephemeral,
              modal: modal as InteractionRecord['modal'],
            },
          }
        : undefined,
    );
    if (response.type !== R.ApplicationCommandAutocompleteResult) {
      const notice = { id: record.id, nonce: record.nonce };
      this.#toInvoker(record, 'INTERACTION_CREATE', notice);
      this.#toInvoker(record, 'INTERACTION_SUCCESS', notice);
    }
    if (options.withResponse !== true) return undefined;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        ...(answer.message
          ? {
              response_message_id: answer.message.id,
              response_message_loading: answer.loading === true,
              response_message_ephemeral: answer.ephemeral,
            }
          : {}),
      },
      // Discord describes a resource for the responses that create or update a message (4 and 7) only.
      ...(answer.message && (response.type === R.ChannelMessageWithSource || response.type === R.UpdateMessage)
        ? { resource: { type: response.type, message: answer.message } }
        : {}),
    };
  }

  /** `GET /webhooks/{app}/{token}/messages/{message|@original}`. */
  async getMessage(applicationId: string, token: string, messageId: string): Promise<SerializedMessage> {
    const record = await this.#open(applicationId, token);
    const id = this.#messageId(record, messageId);
    const { message } = await this.#messages.find(record, id);
    this.#assertOwn(record, id, message.extra);
    return this.#messages.wire(await this.#target(record), message);
  }

  /** `PATCH /webhooks/{app}/{token}/messages/{message|@original}`. */
  async editMessage(
    applicationId: string,
    token: string,
    messageId: string,
    body: unknown,
    uploads: InteractionUploads = {},
  ): Promise<SerializedMessage> {
    const record = await this.#open(applicationId, token);
    const id = this.#messageId(record, messageId);
    const input = readResponseMessage(body, uploads.attachments ?? [], true);
    const found = await this.#messages.find(record, id);
    this.#assertOwn(record, id, found.message.extra);
    return this.#messages.edit(record, await this.#target(record), found, input);
  }

  /** `DELETE /webhooks/{app}/{token}/messages/{message|@original}`. */
  async deleteMessage(applicationId: string, token: string, messageId: string): Promise<void> {
    const record = await this.#open(applicationId, token);
    const id = this.#messageId(record, messageId);
    const found = await this.#messages.find(record, id);
    this.#assertOwn(record, id, found.message.extra);
    await this.#messages.delete(record, await this.#target(record), found);
  }

  /** `POST /webhooks/{app}/{token}`: a follow-up (after the initial response; 10015 before it, as Discord). */
  async followUp(
    applicationId: string,
    token: string,
    body: unknown,
    uploads: InteractionUploads = {},
  ): Promise<SerializedMessage> {
    const record = await this.#open(applicationId, token);
    if (record.response_type === null) throw new UnknownEntityError('webhook');
    const input = readResponseMessage(body, uploads.attachments ?? [], false);
    return this.#messages.create(
      record,
      await this.#target(record),
      { kind: 'message', message: input },
      record.original_message_id,
    );
  }

  /** The channel an interaction token's messages go to (where multipart uploads are stored). */
  async channelOf(applicationId: string, token: string): Promise<string> {
    return (await this.#open(applicationId, token)).channel_id;
  }

  /** The channel of an interaction answered through its callback (uploads of a type 4 or 7 response). */
  async channelOfInteraction(interactionId: string, token: string): Promise<string> {
    const record = await this.ctx.repo.get('interaction', INTERACTION_PARTITION, interactionId);
    if (!record || !sameToken(record.token, token)) throw new UnknownEntityError('interaction');
    return record.channel_id;
  }

  /** Stops the deadline timers of this node (their interactions simply expire). */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #respond(
    record: InteractionRecord,
    response: ReturnType<typeof readCallback>,
  ): Promise<{ message?: SerializedMessage; original: string | null; ephemeral: boolean; loading?: boolean }> {
    switch (response.type) {
      case R.ChannelMessageWithSource: {
        const target = await this.#target(record);
        const message = await this.#messages.create(
          record,
          target,
          { kind: 'message', message: response.message },
          null,
        );
        return { message, original: message.id, ephemeral: ((message.flags ?? 0) & 64) !== 0 };
      }
      case R.DeferredChannelMessageWithSource: {
        const target = await this.#target(record);
        const message = await this.#messages.create(record, target, { kind: 'loading', flags: response.flags }, null);
        return { message, original: message.id, ephemeral: (response.flags & 64) !== 0, loading: true };
      }
      case R.DeferredMessageUpdate:
        return { original: record.message_id, ephemeral: false };
      case R.UpdateMessage: {
        const target = await this.#target(record);
        const found = await this.#messages.find(record, record.message_id!);
        const message = await this.#messages.edit(record, target, found, response.message);
        return { message, original: message.id, ephemeral: ((message.flags ?? 0) & 64) !== 0 };
      }
      case R.ApplicationCommandAutocompleteResult:
        this.#toInvoker(record, 'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE', {
          choices: response.choices,
          nonce: record.nonce,
        });
        return { original: null, ephemeral: false };
      default: {
        const app = await this.ctx.users.get(record.application_id);
        this.#toInvoker(record, 'INTERACTION_MODAL_CREATE', {
          id: record.id,
          nonce: record.nonce,
          channel_id: record.channel_id,
          ...response.modal,
          application: {
            id: record.application_id,
            name: app?.username ?? '',
            icon: app?.avatar ?? null,
            bot_id: record.application_id,
          },
        });
        return { original: null, ephemeral: false };
      }
    }
  }

  /** Takes the interaction's one initial response, atomically across nodes. */
  async #claim(record: InteractionRecord, type: number): Promise<void> {
    let outcome = 'failed' as 'claimed' | 'answered' | 'failed';
    await this.ctx.repo.update('interaction', INTERACTION_PARTITION, record.id, (current) => {
      if (!current || current.failed) {
        outcome = 'failed';
        return undefined;
      }
      if (current.response_type !== null) {
        outcome = 'answered';
        return undefined;
      }
      outcome = 'claimed';
      return { value: { ...current, response_type: type } };
    });
    if (outcome === 'answered') throw new CommunityError('interactionAcknowledged');
    if (outcome === 'failed') throw new UnknownEntityError('interaction');
  }

  /** A response that could not be carried out leaves the interaction unanswered (the deadline still runs). */
  async #unclaim(record: InteractionRecord): Promise<void> {
    await this.ctx.repo
      .update('interaction', INTERACTION_PARTITION, record.id, (current) =>
        current ? { value: { ...current, response_type: null } } : undefined,
      )
      .catch(() => undefined);
  }

  /**
   * Deletes interactions older than `retainMs` with their ephemeral messages: at most once a minute per node, among
   * the oldest batch (ids are snowflakes: the oldest come first), so the work per invocation stays bounded.
   */
  #sweep(): void {
    const { ctx } = this;
    const now = ctx.now();
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    const cutoff = now - this.#clocks.retainMs;
    ctx.repo
      .list('interaction', INTERACTION_PARTITION, { limit: SWEEP_BATCH })
      .then((oldest) => {
        const expired = oldest.filter((r) => r.value.created_at < cutoff);
        if (expired.length === 0) return undefined;
        return ctx.repo.write(
          expired.flatMap((r) => [
            remove('interaction', INTERACTION_PARTITION, r.id),
            removeAll('interaction-message', r.id),
          ]),
        );
      })
      .catch(() => undefined);
  }

  /** After the deadline, an unanswered interaction fails: the invoker's client shows it, the callback is refused. */
  #armDeadline(record: InteractionRecord): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      let failed = false;
      this.ctx.repo
        .update('interaction', INTERACTION_PARTITION, record.id, (current) => {
          if (!current || current.response_type !== null || current.failed) return undefined;
          failed = true;
          return { value: { ...current, failed: true } };
        })
        .then(() => {
          if (failed) this.#toInvoker(record, 'INTERACTION_FAILURE', { id: record.id, nonce: record.nonce });
        })
        .catch(() => undefined);
    }, this.#clocks.deadlineMs);
    timer.unref?.();
    this.#timers.add(timer);
  }

  /** The interaction of a webhook token: 10015 for none (or another application's), 50027 once the token expired. */
  async #open(applicationId: string, token: string): Promise<InteractionRecord> {
    const id = interactionIdFromToken(token);
    const record = id ? await this.ctx.repo.get('interaction', INTERACTION_PARTITION, id) : null;
    if (!record || record.application_id !== applicationId || !sameToken(record.token, token))
      throw new UnknownEntityError('webhook');
    if (this.ctx.now() - record.created_at > this.#clocks.tokenLifetimeMs)
      throw new CommunityError('invalidWebhookToken');
    return record;
  }

  #messageId(record: InteractionRecord, messageId: string): string {
    if (messageId !== '@original') return messageId;
    if (record.original_message_id === null) throw new UnknownEntityError('message');
    return record.original_message_id;
  }

  /** The token reaches the interaction's own messages only: its response, follow-ups, and the component's message. */
  #assertOwn(record: InteractionRecord, messageId: string, extra: Record<string, unknown> | null): void {
    const metadata = (extra as { interaction_metadata?: APIMessageInteractionMetadata } | null)?.interaction_metadata;
    if (messageId === record.original_message_id || metadata?.id === record.id) return;
    throw new UnknownEntityError('message');
  }

  /** Where the application's messages go, with the application's permissions there (for mentions). */
  async #target(record: InteractionRecord): Promise<ResolvedChannel> {
    const { ctx } = this;
    if (record.guild_id === null) {
      const channel = await ctx.repo.get('channel', DM_PARTITION, record.channel_id);
      if (!channel) throw new UnknownEntityError('channel');
      return { guildId: null, state: null, channel, permissions: 0n };
    }
    const state = await ctx.guilds.require(record.guild_id);
    const channel = state.channels.get(record.channel_id);
    if (!channel) throw new UnknownEntityError('channel');
    const permissions = state.permissionsOf(record.application_id, record.channel_id) ?? 0n;
    return { guildId: record.guild_id, state, channel, permissions };
  }

  #toInvoker(record: InteractionRecord, event: InvokerEvent, data: unknown): void {
    this.ctx
      .gateway()
      ?.dispatchToUsers([record.user_id], event, data as never, record.guild_id ? { guildId: record.guild_id } : {});
  }
}

const SWEEP_INTERVAL_MS = 60_000;
const SWEEP_BATCH = 200;

/** What the invoker's sessions hear about their interaction. */
type InvokerEvent =
  | 'INTERACTION_CREATE'
  | 'INTERACTION_SUCCESS'
  | 'INTERACTION_FAILURE'
  | 'INTERACTION_MODAL_CREATE'
  | 'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE';

/** Constant-time token comparison (the token is the only secret of the callback and webhook routes). */
function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
