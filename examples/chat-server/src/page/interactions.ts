// Interactions from the page, as Discord's client sends them: `POST /interactions` naming the session that invokes
// (READY's session_id) and a nonce. The gateway then tells that session how it went, matched by the nonce:
// INTERACTION_CREATE when the app acknowledged (with the interaction's id), INTERACTION_SUCCESS, or
// INTERACTION_FAILURE when the app let Discord's 3-second deadline pass; and what came back for it
// (APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE here; INTERACTION_MODAL_CREATE goes to modal.ts).
import { api, multipart } from './api.js';
import { findChannel, state } from './state.js';
import type { CommandChoice } from './types.js';

export interface InteractionHandlers {
  /** A command's name, remembered for its messages' "used /name" header. */
  commandName?: string;
  /** The app acknowledged it: its id is known from now on. */
  created?: (id: string) => void;
  succeeded?: () => void;
  /** The app did not answer in time, or the server refused the request (its message). */
  failed?: (reason: string | null) => void;
  autocomplete?: (choices: CommandChoice[]) => void;
}

/** Interactions waiting for their outcome, by nonce; bounded, oldest dropped first (an outcome may never come). */
const waiting = new Map<string, InteractionHandlers>();
const MAX_WAITING = 64;
/** Command names of interactions this page invoked, by interaction id (a response names only its interaction). */
const commandNames = new Map<string, string>();
const MAX_NAMES = 256;

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

/** A random nonce that no other user can guess (Discord allows 25 characters; a 64-bit decimal has at most 20). */
export function newNonce(): string {
  return crypto.getRandomValues(new BigUint64Array(1))[0]!.toString();
}

/**
 * Sends an interaction of `type` (2 command, 3 component, 4 autocomplete, 5 modal submit) from `channelId` to the
 * application; `extra` adds type-specific top-level fields (a component's `message_id` and `message_flags`), `files`
 * go as multipart uploads.
 * Returns the nonce the outcome will carry.
 */
export function invokeInteraction(
  type: number,
  applicationId: string,
  channelId: string,
  data: Record<string, unknown>,
  handlers: InteractionHandlers = {},
  extra: Record<string, unknown> = {},
  files: File[] = [],
): string {
  const nonce = newNonce();
  const guildId = findChannel(channelId)?.guild_id;
  remember(waiting, nonce, handlers, MAX_WAITING);
  const body = {
    type,
    application_id: applicationId,
    ...(guildId ? { guild_id: guildId } : {}),
    channel_id: channelId,
    session_id: state.sessionId,
    data,
    nonce,
    ...extra,
  };
  // A command's ATTACHMENT options name files sent with it (`files[n]`, numbered by `data.attachments`).
  (files.length ? multipart('/interactions', body, files) : api('POST', '/interactions', body)).catch((e: unknown) => {
    waiting.delete(nonce);
    handlers.failed?.(e instanceof Error ? e.message : String(e));
  });
  return nonce;
}

/** The name of a command this page invoked, by its interaction's id. */
export function invokedCommandName(interactionId: string): string | undefined {
  return commandNames.get(interactionId);
}

/** Applies an interaction event of the gateway; false when `t` is not one. */
// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
export function interactionEvent(t: string, d: any): boolean {
  const nonce = typeof d?.nonce === 'string' || typeof d?.nonce === 'number' ? String(d.nonce) : null;
  const handlers = nonce !== null ? waiting.get(nonce) : undefined;
  switch (t) {
    case 'INTERACTION_CREATE': {
      const name = handlers?.commandName;
      if (name && typeof d.id === 'string') remember(commandNames, d.id, name, MAX_NAMES);
      if (typeof d.id === 'string') handlers?.created?.(d.id);
      return true;
    }
    case 'INTERACTION_SUCCESS':
      if (nonce !== null) waiting.delete(nonce);
      handlers?.succeeded?.();
      return true;
    case 'INTERACTION_FAILURE':
      if (nonce !== null) waiting.delete(nonce);
      handlers?.failed?.(null);
      return true;
    case 'APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE':
      if (nonce !== null) waiting.delete(nonce);
      handlers?.autocomplete?.(Array.isArray(d.choices) ? d.choices : []);
      return true;
    default:
      return false;
  }
}
