import { serializeUser } from '@concord/gateway-server/serialize';
import type {
  APIAttachment,
  APIAuthorizingIntegrationOwnersMap,
  APIMessage,
  APIMessageInteractionMetadata,
} from 'discord-api-types/v10';
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  InteractionType,
  MessageType,
} from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { INTERACTION_PARTITION, type InteractionRecord } from '../model/interactionRecords.js';
import type { UserRecord } from '../model/records.js';
import type { ApplicationCommandService } from '../services/ApplicationCommandService.js';
import type { DmService } from '../services/DmService.js';
import { dmPermissions, type ResolvedChannel } from '../services/resolveChannel.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { checkCommandInvocation, checkCommandTarget } from './checkCommandInvocation.js';
import { checkComponentInteraction } from './checkComponentInteraction.js';
import { checkModalSubmit } from './checkModalSubmit.js';
import type { InteractionMessages } from './InteractionMessages.js';
import type { InteractionPlace } from './interactionPayload.js';
import { ResolvedData } from './ResolvedData.js';
import type { Invocation } from './readInvocation.js';

/** An invocation, checked: what INTERACTION_CREATE carries and what the interaction's messages will say. */
export interface InvokedInteraction {
  data: Record<string, unknown>;
  place: InteractionPlace;
  metadata: APIMessageInteractionMetadata;
  messageType: InteractionRecord['message_type'];
  name: string;
  /** The component's message (component interactions; modal submits opened from a component). */
  message: APIMessage | null;
  autocompleteType?: number;
}

/**
 * Reads each kind of invocation against what it refers to: a command (registered, visible to the user there, options
 * type-checked), a component (on a message of the application, values it offers), a modal submit (a modal the
 * application showed this user, within the token's life, submitted once). 50035 for what does not fit.
 */
export class InvocationReader {
  constructor(
    private readonly ctx: CommunityContext,
    private readonly commands: ApplicationCommandService,
    private readonly dms: DmService,
    private readonly messages: InteractionMessages,
  ) {}

  async read(
    id: string,
    invoker: UserRecord,
    invocation: Invocation,
    target: ResolvedChannel,
    uploads: ReadonlyMap<string, APIAttachment> = new Map(),
  ): Promise<InvokedInteraction> {
    const place = await this.#place(invocation, target);
    const owners = this.#owners(invocation, target, invoker.id);
    const base = { id, user: serializeUser(invoker), authorizing_integration_owners: owners };
    const errors = new FormErrors();
    const resolved = new ResolvedData(this.ctx, target.state, invoker.id, uploads);
    if (uploads.size > 0 && invocation.type !== InteractionType.ApplicationCommand)
      errors.add(['data', 'attachments'], 'BASE_TYPE_BAD_TYPE', 'Files go with commands only.');
    switch (invocation.type) {
      case InteractionType.ApplicationCommand:
      case InteractionType.ApplicationCommandAutocomplete:
        return this.#command(invocation, target, place, base, resolved, errors);
      case InteractionType.MessageComponent:
        return this.#component(invocation, target, place, base, resolved, errors);
      default:
        return this.#modalSubmit(invocation, place, base, invoker.id, errors);
    }
  }

  async #command(
    invocation: Invocation,
    target: ResolvedChannel,
    place: InteractionPlace,
    base: Base,
    resolved: ResolvedData,
    errors: FormErrors,
  ): Promise<InvokedInteraction> {
    const { data } = invocation;
    const commandId = checkSnowflake(data.id, errors, ['data', 'id']);
    if (commandId === undefined) throw new InvalidFormBodyError(errors.toJSON());
    const command = await this.commands.resolveForInvoke(base.user.id, invocation.applicationId, commandId, {
      guildId: target.guildId,
      channelId: target.channel.id,
      permissions: target.permissions,
    });
    const autocomplete = invocation.type === InteractionType.ApplicationCommandAutocomplete;
    if (data.name !== undefined && data.name !== command.name)
      errors.add(['data', 'name'], 'APPLICATION_COMMAND_OUTDATED', 'This command is outdated, please try again.');
    const type = data.type ?? ApplicationCommandType.ChatInput;
    if (type !== command.type || (autocomplete && command.type !== ApplicationCommandType.ChatInput))
      errors.add(['data', 'type'], 'APPLICATION_COMMAND_OUTDATED', 'This command is outdated, please try again.');
    const checked = await checkCommandInvocation(command, data, resolved, errors, autocomplete);
    const targetId = autocomplete
      ? undefined
      : await checkCommandTarget(command, data, resolved, errors, (messageId) =>
          this.#channelMessage(target, messageId),
        );
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const resolvedJson = resolved.toJSON();
    const out: Record<string, unknown> = {
      id: command.id,
      name: command.name,
      type: command.type,
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
      ...(checked.options ? { options: checked.options } : {}),
      ...(resolvedJson ? { resolved: resolvedJson } : {}),
      ...(targetId !== undefined ? { target_id: targetId } : {}),
    };
    const metadata: APIMessageInteractionMetadata = {
      ...base,
      type: InteractionType.ApplicationCommand,
      ...(command.type === ApplicationCommandType.User && targetId && resolvedJson?.users?.[targetId]
        ? { target_user: resolvedJson.users[targetId] }
        : {}),
      ...(command.type === ApplicationCommandType.Message && targetId ? { target_message_id: targetId } : {}),
    };
    return {
      data: out,
      place,
      metadata,
      messageType:
        command.type === ApplicationCommandType.ChatInput
          ? MessageType.ChatInputCommand
          : MessageType.ContextMenuCommand,
      name: checked.fullName,
      message: null,
      ...(checked.focused ? { autocompleteType: checked.focused.option.type } : {}),
    };
  }

  async #component(
    invocation: Invocation,
    target: ResolvedChannel,
    place: InteractionPlace,
    base: Base,
    resolved: ResolvedData,
    errors: FormErrors,
  ): Promise<InvokedInteraction> {
    const messageId = invocation.messageId!;
    const message = await this.#interactedMessage(target, messageId, base.user.id);
    const fromApp =
      message.application_id === invocation.applicationId || message.author.id === invocation.applicationId;
    if (!fromApp) throw new UnknownEntityError('message');
    const data = await checkComponentInteraction(message.components ?? [], invocation.data, resolved, errors);
    if (!data || !errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const resolvedJson = resolved.toJSON();
    return {
      data: { ...data, ...(resolvedJson ? { resolved: resolvedJson } : {}) },
      place,
      metadata: { ...base, type: InteractionType.MessageComponent, interacted_message_id: messageId },
      messageType: MessageType.Reply,
      name: '',
      message,
    };
  }

  async #modalSubmit(
    invocation: Invocation,
    place: InteractionPlace,
    base: Base,
    userId: string,
    errors: FormErrors,
  ): Promise<InvokedInteraction> {
    const { ctx } = this;
    const modalId = checkSnowflake(invocation.data.id, errors, ['data', 'id']);
    if (modalId === undefined) throw new InvalidFormBodyError(errors.toJSON());
    const source = await ctx.repo.get('interaction', INTERACTION_PARTITION, modalId);
    const shown = source?.modal;
    if (
      !source ||
      !shown ||
      source.user_id !== userId ||
      source.application_id !== invocation.applicationId ||
      source.channel_id !== invocation.channelId
    )
      throw new UnknownEntityError('interaction');
    const data = checkModalSubmit(shown, invocation.data, errors);
    if (!data) throw new InvalidFormBodyError(errors.toJSON());
    // A modal is submitted once: the one that takes it away wins.
    let taken = false;
    await ctx.repo.update('interaction', INTERACTION_PARTITION, modalId, (current) => {
      if (!current?.modal) return undefined;
      taken = true;
      return { value: { ...current, modal: null } };
    });
    if (!taken) throw new UnknownEntityError('interaction');
    const message = source.message_id
      ? await this.#interactedMessage(this.#sourceTarget(place), source.message_id, userId).catch(() => null)
      : null;
    const triggering = source.metadata as Extract<
      APIMessageInteractionMetadata,
      { type: InteractionType.ApplicationCommand | InteractionType.MessageComponent }
    >;
    return {
      data: { ...data },
      place,
      metadata: { ...base, type: InteractionType.ModalSubmit, triggering_interaction_metadata: triggering },
      messageType: source.message_type,
      name: source.name,
      message,
    };
  }

  /** A channel's message for a MESSAGE command's target (as the invoker may read it). */
  async #channelMessage(target: ResolvedChannel, messageId: string): Promise<APIMessage | null> {
    const stored = await this.ctx.messages.get(target.channel.id, messageId);
    if (!stored || stored.deleted) return null;
    return this.messages.wire(target, stored);
  }

  /** The message a component is on: in the channel, or an ephemeral one of this user's. */
  async #interactedMessage(target: ResolvedChannel, messageId: string, userId: string): Promise<APIMessage> {
    const { message } = await this.messages.find({ user_id: userId, channel_id: target.channel.id }, messageId);
    return this.messages.wire(target, message);
  }

  /** The modal's channel as a resolved channel (a modal is submitted where it was shown). */
  #sourceTarget(place: InteractionPlace): ResolvedChannel {
    return place.state
      ? { guildId: place.state.id, state: place.state, channel: place.channel, permissions: place.permissions }
      : { guildId: null, state: null, channel: place.channel, permissions: place.permissions };
  }

  async #place(invocation: Invocation, target: ResolvedChannel): Promise<InteractionPlace> {
    if (target.guildId !== null) {
      const appPermissions = target.state.permissionsOf(invocation.applicationId, target.channel.id) ?? 0n;
      return {
        state: target.state,
        channel: target.channel,
        dm: null,
        permissions: target.permissions,
        appPermissions,
        context: InteractionContextType.Guild,
      };
    }
    const withBot =
      target.channel.type === ChannelType.DM && (target.channel.recipient_ids ?? []).includes(invocation.applicationId);
    return {
      state: null,
      channel: target.channel,
      dm: await this.dms.wire(target.channel, invocation.applicationId),
      permissions: target.permissions,
      appPermissions: dmPermissions,
      context: withBot ? InteractionContextType.BotDM : InteractionContextType.PrivateChannel,
    };
  }

  /** Discord's `authorizing_integration_owners`: the guild for a guild install, "0" in the bot's DM, else the user. */
  #owners(invocation: Invocation, target: ResolvedChannel, userId: string): APIAuthorizingIntegrationOwnersMap {
    if (target.guildId !== null) return { [ApplicationIntegrationType.GuildInstall]: target.guildId };
    const withBot = (target.channel.recipient_ids ?? []).includes(invocation.applicationId);
    return withBot
      ? { [ApplicationIntegrationType.GuildInstall]: '0' }
      : { [ApplicationIntegrationType.UserInstall]: userId };
  }
}

type Base = Pick<APIMessageInteractionMetadata, 'id' | 'user' | 'authorizing_integration_owners'>;
