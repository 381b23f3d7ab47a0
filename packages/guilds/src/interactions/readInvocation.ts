import { InteractionType } from 'discord-api-types/v10';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { checkString } from '../validation/checkString.js';
import { FormErrors } from '../validation/FormErrors.js';
import { formErrorMessages } from '../validation/formErrorMessages.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';

/** The interaction types a user can start (PING is Discord's own, for HTTP-endpoint applications). */
export type InvokedType =
  | InteractionType.ApplicationCommand
  | InteractionType.MessageComponent
  | InteractionType.ApplicationCommandAutocomplete
  | InteractionType.ModalSubmit;

/** `POST /interactions`'s body, read: what the official client sends for each kind of interaction. */
export interface Invocation {
  type: InvokedType;
  applicationId: string;
  channelId: string;
  guildId: string | null;
  /** The invoking gateway session (the official client sends its own). */
  sessionId: string | null;
  /** The client's nonce, echoed in INTERACTION_SUCCESS / FAILURE / MODAL_CREATE. */
  nonce: string | null;
  data: Record<string, unknown>;
  /** A component interaction's message. */
  messageId: string | null;
}

const INVOKED: readonly number[] = [
  InteractionType.ApplicationCommand,
  InteractionType.MessageComponent,
  InteractionType.ApplicationCommandAutocomplete,
  InteractionType.ModalSubmit,
];

/** Reads `POST /interactions`' JSON (or multipart `payload_json`); 50035 naming every field that does not fit. */
export function readInvocation(body: unknown): Invocation {
  const errors = new FormErrors();
  const source = checkObject(body, errors, []);
  if (!source) throw new InvalidFormBodyError(errors.toJSON());
  const type = source.type;
  if (typeof type !== 'number' || !INVOKED.includes(type)) {
    const error = formErrorMessages.choices(INVOKED);
    errors.add(['type'], error.code, error.message);
  }
  const applicationId = checkSnowflake(source.application_id, errors, ['application_id']);
  if (source.application_id === undefined) required(errors, 'application_id');
  const channelId = checkSnowflake(source.channel_id, errors, ['channel_id']);
  if (source.channel_id === undefined) required(errors, 'channel_id');
  const guildId = checkSnowflake(source.guild_id, errors, ['guild_id']) ?? null;
  const sessionId = checkString(source.session_id, errors, ['session_id'], { max: 128 }) ?? null;
  const nonce = readNonce(source.nonce, errors);
  const data = checkObject(source.data, errors, ['data']);
  if (source.data === undefined) required(errors, 'data');
  let messageId: string | null = null;
  if (type === InteractionType.MessageComponent) {
    messageId = checkSnowflake(source.message_id, errors, ['message_id']) ?? null;
    if (source.message_id === undefined) required(errors, 'message_id');
  }
  if (!errors.isEmpty || !data || applicationId === undefined || channelId === undefined)
    throw new InvalidFormBodyError(errors.toJSON());
  return {
    type: type as InvokedType,
    applicationId,
    channelId,
    guildId,
    sessionId,
    nonce,
    data,
    messageId,
  };
}

function required(errors: FormErrors, field: string): void {
  const error = formErrorMessages.required();
  errors.add([field], error.code, error.message);
}

/** A nonce as the client sends one: a snowflake-like string of at most 25 characters (Discord's limit for messages). */
function readNonce(value: unknown, errors: FormErrors): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return checkString(text, errors, ['nonce'], { max: 25 }) ?? null;
}
