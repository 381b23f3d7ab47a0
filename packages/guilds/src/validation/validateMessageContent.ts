import { type APIEmbed, type APIMessageTopLevelComponent, MessageFlags } from 'discord-api-types/v10';
import { checkBoolean } from './checkBoolean.js';
import { checkInteger } from './checkInteger.js';
import { isJsonObject } from './checkObject.js';
import { checkString } from './checkString.js';
import { completeComponents } from './completeComponents.js';
import { componentMessages } from './componentMessages.js';
import { FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { messageLimits as limits } from './messageLimits.js';
import { textLength } from './textLength.js';
import { EmptyMessageError, InvalidFormBodyError } from './ValidationError.js';
import { type AllowedMentions, validateAllowedMentions } from './validateAllowedMentions.js';
import { validateMessageComponents } from './validateComponents.js';
import { validateEmbeds } from './validateEmbeds.js';

/** The content fields of a message body once checked; absent fields stay absent. */
export interface MessageContent {
  content?: string;
  embeds?: APIEmbed[];
  allowed_mentions?: AllowedMentions;
  nonce?: string | number;
  tts?: boolean;
  /**
   * Action rows (`validateMessageComponents`), every component with its `id` (`completeComponents`); only where
   * `components: true` was passed.
   */
  components?: APIMessageTopLevelComponent[];
  /**
   * The flags a sender may set, the others dropped as Discord drops them: SUPPRESS_EMBEDS (4), SUPPRESS_NOTIFICATIONS
   * (4096) and EPHEMERAL (64), which only an interaction response uses (the caller decides). Present when sent.
   */
  flags?: number;
}

/** What `validateMessageContent` needs besides the body. */
export interface ValidateMessageContentOptions {
  /** Files uploaded with the message (multipart `files[n]`), which make it non-empty. Default: 0. */
  files?: number;
  /**
   * The collector to add to, for a route that checks more fields of the same body (`message_reference`, …) and wants
   * them in the same 50035: anything already in it is thrown with the rest. Default: a new `FormErrors`.
   */
  errors?: FormErrors;
  /**
   * Whether the sender may attach `components`: an application (a bot, its webhooks, interaction responses). Anyone
   * else sending a non-empty `components` gets 50035 on it. Default: false.
   */
  components?: boolean;
  /**
   * For an edit: what the message has now. The edit is judged by what the message will have afterwards (a field the
   * body leaves out keeps its value), so an edit of `flags` alone is fine and clearing the content of a message that
   * has nothing else is 50006, as on Discord. Default: a new message (the body alone).
   */
  editing?: { content: string; embeds: number; components: number };
}

/** The flags a message body may set (see `MessageContent.flags`). */
const settableFlags = MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral | MessageFlags.SuppressNotifications;

/** Integers Discord takes as a nonce: its 64-bit signed range. */
const nonceRange = 2 ** 63;

/**
 * Checks the content of a message body (create or edit; a value from a JSON body) as Discord does (docs/protocol.md,
 * "Form validation"): `content` at most 2000 characters, `embeds` (`validateEmbeds`), `allowed_mentions`
 * (`validateAllowedMentions`), `nonce` a string of at most 25 characters or an integer, `tts` a boolean, `flags` an
 * integer (settable flags kept), `components` (`validateMessageComponents`) when the options allow them. Every error
 * found is thrown at once as `InvalidFormBodyError` (50035). A body without errors that has nothing to send (no
 * content, embed, sticker, file, attachment, poll or component) throws `EmptyMessageError` (50006): Discord reports
 * malformed fields first. Returns the checked fields otherwise.
 */
export function validateMessageContent(body: unknown, options: ValidateMessageContentOptions = {}): MessageContent {
  const errors = options.errors ?? new FormErrors();
  if (!isJsonObject(body)) {
    const error = formErrorMessages.notObject();
    errors.add([], error.code, error.message);
    throw new InvalidFormBodyError(errors.toJSON());
  }
  const source = body;
  const result: MessageContent = {};
  const content = checkString(source.content, errors, ['content'], { max: limits.content });
  if (content !== undefined) result.content = content;
  const embeds = validateEmbeds(source.embeds, errors, ['embeds']);
  if (embeds !== undefined) result.embeds = embeds;
  const allowedMentions = validateAllowedMentions(source.allowed_mentions, errors, ['allowed_mentions']);
  if (allowedMentions !== undefined) result.allowed_mentions = allowedMentions;
  const nonce = checkNonce(source.nonce, errors);
  if (nonce !== undefined) result.nonce = nonce;
  const tts = checkBoolean(source.tts, errors, ['tts']);
  if (tts !== undefined) result.tts = tts;
  const flags = checkInteger(source.flags, errors, ['flags'], 0, Number.MAX_SAFE_INTEGER);
  // The bits a sender may set are all below 2^31, where `&` is exact.
  if (flags !== undefined) result.flags = flags & settableFlags;
  if (options.components === true) {
    const components = validateMessageComponents(source.components, errors, ['components']);
    // Stored and served with their ids, as Discord numbers them on a sent message.
    if (components !== undefined) result.components = completeComponents(components);
  } else if (source.components !== undefined && source.components !== null && !isEmptyList(source.components)) {
    const error = componentMessages.componentsNotAllowed();
    errors.add(['components'], error.code, error.message);
  }

  if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
  const editing = options.editing;
  if (editing) {
    // What the message will have after the edit: a field the body leaves out keeps its value.
    const text = (result.content ?? editing.content).trim() !== '';
    const embeds = result.embeds?.length ?? editing.embeds;
    const components = result.components?.length ?? editing.components;
    if (!text && embeds === 0 && components === 0 && !hasSomethingToSend(source, {}, options.files ?? 0))
      throw new EmptyMessageError();
  } else if (!hasSomethingToSend(source, result, options.files ?? 0)) throw new EmptyMessageError();
  return result;
}

function checkNonce(value: unknown, errors: FormErrors): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  const error =
    typeof value === 'string'
      ? textLength(value) > limits.nonce
        ? formErrorMessages.nonceTooLong(limits.nonce)
        : undefined
      : typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < nonceRange
        ? undefined
        : formErrorMessages.nonceType();
  if (error === undefined) return value as string | number;
  errors.add(['nonce'], error.code, error.message);
  return undefined;
}

const isEmptyList = (value: unknown) => Array.isArray(value) && value.length === 0;

/** A non-empty list: `[]` sends nothing. */
const nonEmpty = (value: unknown) => Array.isArray(value) && value.length > 0;

/**
 * Discord's "at least one of content, embeds, sticker_ids, components, files[n], poll" (docs/protocol.md, "Form
 * validation", "Empty messages"). Content that is only whitespace counts as none; so does an empty list.
 */
function hasSomethingToSend(source: Record<string, unknown>, checked: MessageContent, files: number): boolean {
  if (checked.content !== undefined && checked.content.trim() !== '') return true;
  if (checked.embeds !== undefined && checked.embeds.length > 0) return true;
  if (files > 0) return true;
  if (checked.components !== undefined && checked.components.length > 0) return true;
  if (nonEmpty(source.sticker_ids) || nonEmpty(source.attachments)) return true;
  return isJsonObject(source.poll) || isJsonObject(source.shared_client_theme);
}
