/**
 * `@concord/gateway-server/intents`: the rules the server applies to every dispatch before a session gets it, for
 * code that wants to predict them (which intent an event needs, whether a message's content is hidden). The intent
 * bits themselves come from `@concord/protocol`.
 */
export { carriesMessageContent, eventIntent, mayReadContent, stripMessageContent } from '../eventIntents.js';
