import type { Snowflake } from '../types.js';

/**
 * What Discord's own client hears about the interactions its user starts (not in the public API, so not in
 * discord-api-types): sent to the invoking user's sessions only. The application's side is INTERACTION_CREATE with
 * the full interaction.
 */

/** INTERACTION_SUCCESS (and the client's INTERACTION_CREATE notice): the application answered. */
export interface InteractionNoticeData {
  id: Snowflake;
  nonce: string | null;
}

/** INTERACTION_MODAL_CREATE: the application answered with a modal for the client to show. */
export interface InteractionModalCreateData extends InteractionNoticeData {
  channel_id: Snowflake;
  title: string;
  custom_id: string;
  components: unknown[];
  application: { id: Snowflake; name: string; icon: string | null; bot_id?: Snowflake };
}

/** APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: the choices an application offers for the focused option. */
export interface AutocompleteResponseData {
  choices: { name: string; value: string | number }[];
  nonce: string | null;
}
