import type { ContractViolation } from './ContractViolationError.js';
import openApi from './discordOpenApi.json' with { type: 'json' };
import { gatewayComponents, gatewayEvents } from './gatewaySchemas.js';
import type { OutgoingCheck } from './outgoingCheck.js';
import { type Schema, SchemaChecker } from './validateSchema.js';

export interface ContractCheckOptions {
  /** Told of each object that does not conform. */
  onViolation(violation: ContractViolation): void;
  /**
   * Which dispatches are held to the event schemas: `all` (an application's server: every dispatch is its own), or
   * `gateway` (only those the gateway builds itself: READY, GUILD_CREATE, PRESENCE_UPDATE, VOICE_STATE_UPDATE, member
   * chunks…; this package's tests dispatch made-up payloads through the public API). Default `all`. Every dispatch is
   * checked for `undefined` values either way.
   */
  dispatches?: 'all' | 'gateway';
}

/** Events whose `d` the gateway server builds (src/GatewayServer.ts, src/members). */
const GATEWAY_BUILT = new Set([
  'READY',
  'GUILD_CREATE',
  'GUILD_DELETE',
  'GUILD_MEMBERS_CHUNK',
  'PRESENCE_UPDATE',
  'VOICE_STATE_UPDATE',
  'VOICE_SERVER_UPDATE',
  'SOUNDBOARD_SOUNDS',
  'RATE_LIMITED',
]);

const ANY: Schema = {};

/**
 * A contract check: REST answers against Discord's OpenAPI description (the subset in discordOpenApi.json, taken
 * from github.com/discord/discord-api-spec), dispatches against the documented event shapes (gatewaySchemas.ts).
 * Error answers (status ≥ 400) are held to Discord's error object.
 */
export function createContractCheck(options: ContractCheckOptions): OutgoingCheck {
  const components = openApi.schemas as unknown as Record<string, Schema>;
  const checker = new SchemaChecker({ ...components, ...gatewayComponents(components) });
  const routes = openApi.routes as unknown as Record<string, Schema>;
  const onlyGateway = options.dispatches === 'gateway';
  return {
    dispatch(event, data) {
      const schema = onlyGateway && !GATEWAY_BUILT.has(event) ? ANY : (gatewayEvents[event] ?? ANY);
      const violations = checker.check(data, schema);
      if (violations.length > 0) options.onViolation({ kind: 'dispatch', name: event, violations });
    },
    rest(route, status, body) {
      if (status === 204) return;
      const schema = status === 429 ? RATE_LIMITED : status >= 400 ? ERROR : (routes[route] ?? ANY);
      const violations = checker.check(body, schema);
      if (violations.length > 0) options.onViolation({ kind: 'rest', name: `${route} ${status}`, violations });
    },
  };
}

/** Discord's error object (docs: Reference, Error Messages). */
const ERROR: Schema = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' }, errors: { type: 'object' } },
  required: ['code', 'message'],
};

/** Discord's 429 body (docs: Rate Limits, Exceeding A Rate Limit): `code` only for some limits. */
const RATE_LIMITED: Schema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    retry_after: { type: 'number', minimum: 0 },
    global: { type: 'boolean' },
    code: { type: 'integer' },
  },
  required: ['message', 'retry_after', 'global'],
};
