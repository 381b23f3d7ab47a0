// Cuts Discord's OpenAPI description (github.com/discord/discord-api-spec, specs/openapi.json) down to the response
// schemas of the routes Concord serves, with every component they reference, into src/contract/discordOpenApi.json.
// Usage: node scripts/extractOpenApiSubset.mjs <path to openapi.json> <commit of discord-api-spec>
import { readFileSync, writeFileSync } from 'node:fs';

const [specPath, commit] = process.argv.slice(2);
if (!specPath || !commit) throw new Error('usage: extractOpenApiSubset.mjs <openapi.json> <commit>');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

// Concord's REST routes with a JSON answer (examples/chat-server/src/rest/routes.ts and
// packages/rest-server/src/routes/) in the spec's path syntax. Routes answered 204 have no body to check.
const ROUTES = [
  ['get', '/gateway'],
  ['get', '/gateway/bot'],
  ['get', '/users/@me'],
  ['patch', '/users/@me'],
  ['get', '/users/{user_id}'],
  ['get', '/applications/@me'],
  ['get', '/oauth2/applications/@me'],
  ['get', '/users/@me/guilds'],
  ['post', '/users/@me/channels'],
  ['get', '/guilds/{guild_id}'],
  ['patch', '/guilds/{guild_id}'],
  ['get', '/guilds/{guild_id}/audit-logs'],
  ['get', '/guilds/{guild_id}/channels'],
  ['post', '/guilds/{guild_id}/channels'],
  ['get', '/guilds/{guild_id}/roles'],
  ['post', '/guilds/{guild_id}/roles'],
  ['patch', '/guilds/{guild_id}/roles'],
  ['get', '/guilds/{guild_id}/roles/{role_id}'],
  ['patch', '/guilds/{guild_id}/roles/{role_id}'],
  ['get', '/guilds/{guild_id}/members'],
  ['get', '/guilds/{guild_id}/members/{user_id}'],
  ['patch', '/guilds/{guild_id}/members/{user_id}'],
  ['patch', '/guilds/{guild_id}/members/@me'],
  ['get', '/guilds/{guild_id}/bans'],
  ['get', '/guilds/{guild_id}/bans/{user_id}'],
  ['get', '/guilds/{guild_id}/invites'],
  ['get', '/channels/{channel_id}'],
  ['patch', '/channels/{channel_id}'],
  ['delete', '/channels/{channel_id}'],
  ['get', '/channels/{channel_id}/invites'],
  ['post', '/channels/{channel_id}/invites'],
  ['get', '/channels/{channel_id}/messages'],
  ['post', '/channels/{channel_id}/messages'],
  ['get', '/channels/{channel_id}/messages/{message_id}'],
  ['patch', '/channels/{channel_id}/messages/{message_id}'],
  ['get', '/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}'],
  ['get', '/channels/{channel_id}/pins'],
  ['get', '/channels/{channel_id}/messages/pins'],
  ['get', '/invites/{code}'],
  ['delete', '/invites/{code}'],
  ['post', '/channels/{channel_id}/threads'],
  ['post', '/channels/{channel_id}/messages/{message_id}/threads'],
  ['get', '/channels/{channel_id}/thread-members'],
  ['get', '/channels/{channel_id}/thread-members/{user_id}'],
  ['get', '/guilds/{guild_id}/threads/active'],
  ['get', '/channels/{channel_id}/threads/archived/public'],
  ['get', '/channels/{channel_id}/threads/archived/private'],
  ['get', '/channels/{channel_id}/users/@me/threads/archived/private'],
  ['get', '/guilds/{guild_id}/emojis'],
  ['post', '/guilds/{guild_id}/emojis'],
  ['get', '/guilds/{guild_id}/emojis/{emoji_id}'],
  ['patch', '/guilds/{guild_id}/emojis/{emoji_id}'],
  ['get', '/applications/{application_id}/commands'],
  ['post', '/applications/{application_id}/commands'],
  ['put', '/applications/{application_id}/commands'],
  ['get', '/applications/{application_id}/commands/{command_id}'],
  ['patch', '/applications/{application_id}/commands/{command_id}'],
  ['get', '/applications/{application_id}/guilds/{guild_id}/commands'],
  ['post', '/applications/{application_id}/guilds/{guild_id}/commands'],
  ['put', '/applications/{application_id}/guilds/{guild_id}/commands'],
  ['get', '/applications/{application_id}/guilds/{guild_id}/commands/{command_id}'],
  ['patch', '/applications/{application_id}/guilds/{guild_id}/commands/{command_id}'],
  ['get', '/applications/{application_id}/guilds/{guild_id}/commands/permissions'],
  ['get', '/applications/{application_id}/guilds/{guild_id}/commands/{command_id}/permissions'],
  ['put', '/applications/{application_id}/guilds/{guild_id}/commands/{command_id}/permissions'],
  ['post', '/interactions/{interaction_id}/{interaction_token}/callback'],
  ['get', '/channels/{channel_id}/webhooks'],
  ['post', '/channels/{channel_id}/webhooks'],
  ['get', '/guilds/{guild_id}/webhooks'],
  ['get', '/webhooks/{webhook_id}'],
  ['patch', '/webhooks/{webhook_id}'],
  ['get', '/webhooks/{webhook_id}/{webhook_token}'],
  ['patch', '/webhooks/{webhook_id}/{webhook_token}'],
  ['post', '/webhooks/{webhook_id}/{webhook_token}'],
  ['get', '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}'],
  ['patch', '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}'],
];
// Routes Concord serves that the spec leaves out (Discord's own client uses them), checked against the answer of a
// documented route that returns the same object: route template → [method, spec path, `item` to take an array's item].
const ALIASES = {
  'POST /guilds': ['get', '/guilds/{guild_id}'],
  'POST /invites/:code': ['get', '/invites/{code}'],
  'GET /users/@me/channels': ['post', '/users/@me/channels', 'array'],
};
// Components the hand-written gateway schemas (src/contract/gatewaySchemas.ts) build on.
const EXTRA = ['GuildResponse', 'GuildMemberResponse', 'GuildRoleResponse', 'UserResponse', 'UserPIIResponse'];

/** The JSON schema of the first 2xx answer of a spec route. */
const responseSchema = (method, path) => {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`${method} ${path} not in the spec`);
  const status = Object.keys(op.responses).find((s) => s.startsWith('2') && s !== '204');
  let response = op.responses[status];
  if (response.$ref) response = spec.components.responses[response.$ref.split('/').pop()];
  return response.content['application/json'].schema;
};

const routes = {};
for (const [method, path] of ROUTES) {
  routes[`${method.toUpperCase()} ${path.replace(/\{([a-z_]+)\}/g, ':$1')}`] = responseSchema(method, path);
}
for (const [template, [method, path, shape]] of Object.entries(ALIASES)) {
  const schema = responseSchema(method, path);
  routes[template] = shape === 'array' ? { type: 'array', items: schema } : schema;
}

const schemas = {};
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.split('/').pop();
    if (!(name in schemas)) {
      schemas[name] = spec.components.schemas[name];
      visit(schemas[name]);
    }
  }
  for (const value of Object.values(node)) visit(value);
};
visit(routes);
visit(EXTRA.map((name) => ({ $ref: `#/components/schemas/${name}` })));

// Descriptions (text, not a property named `description`) are the bulk of the file and no check reads them.
const strip = (node) => {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'description' && typeof v === 'string') || k === 'x-discord-union') continue;
    out[k] = strip(v);
  }
  return out;
};
const sorted = Object.fromEntries(
  Object.keys(schemas)
    .sort()
    .map((k) => [k, strip(schemas[k])]),
);
const out = {
  source: `https://github.com/discord/discord-api-spec/blob/${commit}/specs/openapi.json`,
  note: 'Generated by packages/gateway-server/scripts/extractOpenApiSubset.mjs; do not edit by hand.',
  routes: strip(routes),
  schemas: sorted,
};
writeFileSync(new URL('../src/contract/discordOpenApi.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(routes).length} routes, ${Object.keys(sorted).length} schemas`);
