import type { APIAttachment, APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import { ApplicationCommandOptionType, InteractionType, InteractionResponseType as R } from 'discord-api-types/v10';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import { checkString } from '../validation/checkString.js';
import { completeComponents } from '../validation/completeComponents.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { EmptyMessageError, InvalidFormBodyError } from '../validation/ValidationError.js';
import { validateModal } from '../validation/validateComponents.js';
import { type MessageContent, validateMessageContent } from '../validation/validateMessageContent.js';

/** A message an interaction sends or edits, checked. */
export interface ResponseMessage {
  content: MessageContent;
  attachments: APIAttachment[];
}

/** An initial response, checked against the interaction it answers. */
export type CallbackResponse =
  | { type: R.ChannelMessageWithSource; message: ResponseMessage }
  | { type: R.DeferredChannelMessageWithSource; flags: number }
  | { type: R.DeferredMessageUpdate }
  | { type: R.UpdateMessage; message: ResponseMessage }
  | { type: R.ApplicationCommandAutocompleteResult; choices: { name: string; value: string | number }[] }
  | { type: R.Modal; modal: APIModalInteractionResponseCallbackData };

/** Which responses each kind of interaction takes (Discord's table; a modal cannot answer a modal). */
const ALLOWED: Record<number, readonly number[]> = {
  [InteractionType.ApplicationCommand]: [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource, R.Modal],
  [InteractionType.MessageComponent]: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
    R.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [R.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
  ],
};

const EPHEMERAL = 64;
const MAX_CHOICES = 25;

/**
 * Reads `POST /interactions/{id}/{token}/callback`'s body for an interaction of `interactionType`: a response type
 * the interaction takes (6 and 7 only where there is a component's message), then its `data` as Discord checks it —
 * a message (content, embeds, components, flags, attachments), deferred flags, autocomplete choices (≤ 25, values of
 * the focused option's type) or a modal. 50035 naming every problem; nothing is stored before this passes.
 */
export function readCallback(
  body: unknown,
  interactionType: InteractionType,
  context: { hasMessage: boolean; autocompleteType?: number | undefined; attachments: APIAttachment[] },
): CallbackResponse {
  const errors = new FormErrors();
  const source = checkObject(body, errors, []);
  if (!source) throw new InvalidFormBodyError(errors.toJSON());
  const allowed = (ALLOWED[interactionType] ?? []).filter(
    (t) => context.hasMessage || (t !== R.DeferredMessageUpdate && t !== R.UpdateMessage),
  );
  const type = source.type;
  if (typeof type !== 'number' || !allowed.includes(type)) {
    const error = formErrorMessages.choices(allowed);
    errors.add(['type'], error.code, error.message);
    throw new InvalidFormBodyError(errors.toJSON());
  }
  const data = source.data;
  switch (type) {
    case R.ChannelMessageWithSource:
      return { type, message: readResponseMessage(data, context.attachments, false) };
    case R.UpdateMessage:
      return { type, message: readResponseMessage(data ?? {}, context.attachments, true) };
    case R.DeferredChannelMessageWithSource: {
      const flags = data === undefined || data === null ? 0 : (readResponseMessage(data, [], true).content.flags ?? 0);
      return { type, flags: flags & EPHEMERAL };
    }
    case R.DeferredMessageUpdate:
      return { type };
    case R.ApplicationCommandAutocompleteResult:
      return { type, choices: readChoices(data, context.autocompleteType, errors) };
    default: {
      const modal = validateModal(data, errors, ['data']);
      if (!modal) throw new InvalidFormBodyError(errors.toJSON());
      // Numbered as Discord numbers a modal's components: the submit answers with the same ids.
      return { type: R.Modal, modal: { ...modal, components: completeComponents(modal.components) } };
    }
  }
}

/**
 * A message body of a response, follow-up or edit: Discord's content checks with components allowed (it is an
 * application's message). An edit (or an update) may leave everything out; a new message must send something.
 */
export function readResponseMessage(body: unknown, attachments: APIAttachment[], edit: boolean): ResponseMessage {
  try {
    const content = validateMessageContent(body ?? {}, { files: attachments.length, components: true });
    return { content, attachments };
  } catch (error) {
    if (edit && error instanceof EmptyMessageError) {
      // An edit that clears fields: what it sent was checked before the emptiness rule.
      const source = body as Record<string, unknown>;
      const content: MessageContent = {};
      if (typeof source.content === 'string') content.content = source.content;
      if (Array.isArray(source.embeds)) content.embeds = [];
      if (Array.isArray(source.components)) content.components = [];
      if (typeof source.flags === 'number') content.flags = source.flags & EPHEMERAL;
      return { content, attachments };
    }
    throw error;
  }
}

function readChoices(
  data: unknown,
  optionType: number | undefined,
  errors: FormErrors,
): { name: string; value: string | number }[] {
  const source = checkObject(data, errors, ['data']);
  const list = checkArray(source?.choices, errors, ['data', 'choices'], MAX_CHOICES) ?? [];
  const choices: { name: string; value: string | number }[] = [];
  for (const [i, item] of list.entries()) {
    const choice = checkObject(item, errors, ['data', 'choices', i]);
    if (!choice) continue;
    const name = checkString(choice.name, errors, ['data', 'choices', i, 'name'], { max: 100, required: true });
    const value = choice.value;
    const wantsString = optionType === undefined || optionType === ApplicationCommandOptionType.String;
    const fits = wantsString
      ? typeof value === 'string' && value.length <= 100
      : typeof value === 'number' &&
        Number.isFinite(value) &&
        (optionType !== ApplicationCommandOptionType.Integer || Number.isSafeInteger(value));
    if (!fits) {
      errors.add(['data', 'choices', i, 'value'], 'BASE_TYPE_BAD_TYPE', 'Not a value of the option type.');
      continue;
    }
    if (name !== undefined) choices.push({ name, value: value as string | number });
  }
  if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
  return choices;
}
