/**
 * Client Position, voice op 1001 (client → server): `{ x, y, z?, yaw? }`, where the sender is now. An extension of this
 * suite (ops from 1000 up are ours, Discord's stay below): taken only in a positional channel whose positions come
 * from its clients (`PositionalOptions.positionSource: 'client'`, "trusted mode"), ignored elsewhere. In a file of its
 * own, with no import, so that the browser entry (src/browser/) shares it with the server's parser.
 */
export const CLIENT_POSITION_OP = 1001;
