/**
 * `@concord/gateway-server/presence`: the checks an op 3 Presence Update passes, for an application that accepts
 * presences another way (REST, an admin tool) and wants the gateway's rules.
 */
export { PresenceError, type PresenceErrorCode } from '../PresenceError.js';
export {
  MAX_ACTIVITIES,
  type ValidatePresenceResult,
  type ValidPresence,
  validatePresence,
} from '../validatePresence.js';
