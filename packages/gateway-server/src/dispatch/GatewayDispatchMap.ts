import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { MemberListUpdateData } from '../members/MemberListOps.js';
import type {
  AutocompleteResponseData,
  InteractionModalCreateData,
  InteractionNoticeData,
} from './InteractionClientData.js';
import type { StreamCreateData, StreamDeleteData, StreamServerUpdateData, StreamUpdateData } from './StreamData.js';

/**
 * Every dispatch Discord documents, event name → its `d`, read off discord-api-types' union of dispatch payloads so it
 * follows the library: `MESSAGE_CREATE` → `GatewayMessageCreateDispatchData`, `GUILD_UPDATE` →
 * `GatewayGuildUpdateDispatchData`, and so on. (The template literal turns the library's enum members into the plain
 * strings callers write.)
 */
type DiscordDispatchData = { [P in GatewayDispatchPayload as `${P['t']}`]: P['d'] };

/**
 * Dispatch event name → the type of its payload (`d`), what the typed dispatch methods of `GatewayServer` check a call
 * against: `dispatchToGuild(guildId, 'MESSAGE_CREATE', data)` needs `data: GatewayMessageCreateDispatchData`, and a
 * misspelt event name is a compile error.
 *
 * Discord's events come from discord-api-types (v10). Below are the events Concord sends that the library does not
 * list. An application with events of its own adds them by declaration merging, typed like the rest:
 *
 * ```ts
 * declare module '@concord/gateway-server' {
 *   interface GatewayDispatchMap {
 *     DEMO_MESSAGE: { channel: string; n: number };
 *   }
 * }
 * ```
 *
 * For a payload no type can describe (made up at run time, deliberately malformed in a test), `dispatchRaw` is the
 * untyped escape hatch.
 */
export interface GatewayDispatchMap extends DiscordDispatchData {
  /**
   * Op 14 lazy member lists (the member sidebar of Discord's own clients; not in the public API, so not in
   * discord-api-types): `SYNC`/`INSERT`/`UPDATE`/`DELETE`/`INVALIDATE` operations over one list of a guild, sent to the
   * session that subscribed (see src/members/createLazyMemberLists.ts).
   */
  GUILD_MEMBER_LIST_UPDATE: MemberListUpdateData;
  /** The invoker's client: the application answered its interaction (src/dispatch/InteractionClientData.ts). */
  INTERACTION_SUCCESS: InteractionNoticeData;
  /** The invoker's client: the application did not answer within the deadline. */
  INTERACTION_FAILURE: InteractionNoticeData;
  /** The invoker's client: show this modal. */
  INTERACTION_MODAL_CREATE: InteractionModalCreateData;
  /** The invoker's client: autocomplete choices for the focused option. */
  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: AutocompleteResponseData;
  /** Go Live (src/dispatch/StreamData.ts): the stream, to its streamer (op 18) or a new viewer (op 20). */
  STREAM_CREATE: StreamCreateData;
  /** Go Live: where the stream connection goes (voice Identify with `server_id` = `rtc_server_id`). */
  STREAM_SERVER_UPDATE: StreamServerUpdateData;
  /** Go Live: viewers or `paused` changed. */
  STREAM_UPDATE: StreamUpdateData;
  /** Go Live: the stream ended for the recipient, or its op 18 / op 20 was refused. */
  STREAM_DELETE: StreamDeleteData;
}

/** A dispatch event name the typed dispatch methods accept: a key of {@link GatewayDispatchMap}. */
export type GatewayDispatchEvent = Extract<keyof GatewayDispatchMap, string>;
