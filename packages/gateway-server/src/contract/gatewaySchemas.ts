import type { Schema } from './validateSchema.js';

/**
 * Strict schemas of the gateway dispatches, hand-written from Discord's gateway event documentation
 * (discord.com/developers/docs/events/gateway-events) because Discord publishes no machine-readable description of
 * the gateway. Objects that are the same as in REST (user, member, role, guild, channel, message) reuse the OpenAPI
 * components of discordOpenApi.json, so a member in GUILD_CREATE is held to the same rules as one from
 * `GET /guilds/:id/members/:user_id`.
 */

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const snowflake = ref('SnowflakeType');
const nullable = (schema: Schema): Schema => ({ oneOf: [{ type: 'null' }, schema] });
const array = (items: Schema): Schema => ({ type: 'array', items });
const timestamp: Schema = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  properties,
  required,
});

/** Gateway-only components, added beside the OpenAPI ones. */
export function gatewayComponents(openApi: Record<string, Schema>): Record<string, Schema> {
  const member = openApi.GuildMemberResponse!;
  const channel = openApi.GuildChannelResponse!;
  return {
    // MESSAGE_CREATE.member: the member without `user` (docs: "member properties for this message's author").
    GatewayPartialMember: { ...member, required: (member.required as string[]).filter((k) => k !== 'user') },
    // GUILD_CREATE channels carry no guild_id (docs: Guild Create extra fields).
    GatewayGuildChannel: { ...channel, required: (channel.required as string[]).filter((k) => k !== 'guild_id') },
    GatewayActivity: object(
      {
        name: { type: 'string' },
        type: { type: 'integer', minimum: 0, maximum: 6 },
        url: { type: ['string', 'null'] },
        created_at: { type: 'integer' },
        id: { type: 'string' },
        state: { type: ['string', 'null'] },
        details: { type: ['string', 'null'] },
      },
      ['name', 'type', 'created_at'],
    ),
    GatewayPresence: object(
      {
        user: object({ id: snowflake }, ['id']),
        guild_id: snowflake,
        status: { type: 'string', enum: ['online', 'idle', 'dnd', 'offline'] },
        activities: array(ref('GatewayActivity')),
        client_status: object(
          {
            desktop: { type: 'string' },
            mobile: { type: 'string' },
            web: { type: 'string' },
          },
          [],
        ),
      },
      ['user', 'status', 'activities', 'client_status'],
    ),
    GatewayVoiceState: object(
      {
        guild_id: snowflake,
        channel_id: nullable(snowflake),
        user_id: snowflake,
        member: ref('GuildMemberResponse'),
        session_id: { type: 'string' },
        deaf: { type: 'boolean' },
        mute: { type: 'boolean' },
        self_deaf: { type: 'boolean' },
        self_mute: { type: 'boolean' },
        self_stream: { type: 'boolean' },
        self_video: { type: 'boolean' },
        suppress: { type: 'boolean' },
        request_to_speak_timestamp: { type: ['string', 'null'], format: 'date-time' },
      },
      [
        'channel_id',
        'user_id',
        'session_id',
        'deaf',
        'mute',
        'self_deaf',
        'self_mute',
        'self_video',
        'suppress',
        'request_to_speak_timestamp',
      ],
    ),
    GatewayMessage: {
      allOf: [ref('MessageResponse'), object({ guild_id: snowflake, member: ref('GatewayPartialMember') }, [])],
    },
  };
}

/** Event name → schema of its `d`. Events not listed are checked only for `undefined` values. */
export const gatewayEvents: Record<string, Schema> = {
  READY: object(
    {
      v: { type: 'integer' },
      // The current user: the private fields Discord sends its owner (docs: Ready event, user object).
      user: { allOf: [ref('UserPIIResponse'), object({ verified: { type: 'boolean' } }, ['verified'])] },
      guilds: array(object({ id: snowflake, unavailable: { const: true } }, ['id', 'unavailable'])),
      session_id: { type: 'string' },
      resume_gateway_url: { type: 'string' },
      shard: { type: 'array', items: { type: 'integer', minimum: 0 } },
      application: object({ id: snowflake, flags: { type: 'integer' } }, ['id', 'flags']),
      session_type: { type: 'string' },
      private_channels: { type: 'array' },
    },
    ['v', 'user', 'guilds', 'session_id', 'resume_gateway_url', 'application'],
  ),
  GUILD_CREATE: {
    allOf: [
      ref('GuildResponse'),
      object(
        {
          joined_at: timestamp,
          large: { type: 'boolean' },
          unavailable: { const: false },
          member_count: { type: 'integer', minimum: 0 },
          voice_states: array(ref('GatewayVoiceState')),
          members: array(ref('GuildMemberResponse')),
          channels: array(ref('GatewayGuildChannel')),
          threads: array(ref('ThreadResponse')),
          presences: array(ref('GatewayPresence')),
          stage_instances: { type: 'array' },
          guild_scheduled_events: { type: 'array' },
          soundboard_sounds: { type: 'array' },
        },
        [
          'joined_at',
          'large',
          'unavailable',
          'member_count',
          'voice_states',
          'members',
          'channels',
          'threads',
          'presences',
          'stage_instances',
          'guild_scheduled_events',
          'soundboard_sounds',
        ],
      ),
    ],
  },
  GUILD_UPDATE: ref('GuildResponse'),
  GUILD_DELETE: object({ id: snowflake, unavailable: { type: 'boolean' } }, ['id']),
  GUILD_MEMBER_ADD: { allOf: [ref('GuildMemberResponse'), object({ guild_id: snowflake }, ['guild_id'])] },
  GUILD_MEMBER_UPDATE: {
    allOf: [ref('GuildMemberResponse'), object({ guild_id: snowflake }, ['guild_id'])],
  },
  GUILD_MEMBER_REMOVE: object({ guild_id: snowflake, user: ref('UserResponse') }, ['guild_id', 'user']),
  GUILD_MEMBERS_CHUNK: object(
    {
      guild_id: snowflake,
      members: array(ref('GuildMemberResponse')),
      chunk_index: { type: 'integer', minimum: 0 },
      chunk_count: { type: 'integer', minimum: 1 },
      not_found: { type: 'array' },
      presences: array(ref('GatewayPresence')),
      nonce: { type: 'string' },
    },
    ['guild_id', 'members', 'chunk_index', 'chunk_count'],
  ),
  PRESENCE_UPDATE: { allOf: [ref('GatewayPresence'), object({}, ['guild_id'])] },
  VOICE_STATE_UPDATE: ref('GatewayVoiceState'),
  VOICE_SERVER_UPDATE: object(
    { token: { type: 'string' }, guild_id: snowflake, endpoint: { type: ['string', 'null'] } },
    ['token', 'guild_id', 'endpoint'],
  ),
  // A DM's CHANNEL_CREATE carries a private channel (docs: Channel Create "sent when a new guild channel is created",
  // and for DMs the private channel object).
  CHANNEL_CREATE: {
    oneOf: [ref('GuildChannelResponse'), ref('PrivateChannelResponse'), ref('PrivateGroupChannelResponse')],
  },
  CHANNEL_UPDATE: ref('GuildChannelResponse'),
  CHANNEL_DELETE: ref('GuildChannelResponse'),
  CHANNEL_PINS_UPDATE: object({ guild_id: snowflake, channel_id: snowflake, last_pin_timestamp: nullable(timestamp) }, [
    'channel_id',
  ]),
  THREAD_CREATE: { allOf: [ref('ThreadResponse'), object({ newly_created: { type: 'boolean' } }, [])] },
  THREAD_UPDATE: ref('ThreadResponse'),
  THREAD_DELETE: object(
    { id: snowflake, guild_id: snowflake, parent_id: nullable(snowflake), type: { type: 'integer' } },
    ['id', 'guild_id', 'parent_id', 'type'],
  ),
  THREAD_MEMBER_UPDATE: { allOf: [ref('ThreadMemberResponse'), object({ guild_id: snowflake }, ['guild_id'])] },
  THREAD_MEMBERS_UPDATE: object(
    {
      id: snowflake,
      guild_id: snowflake,
      member_count: { type: 'integer', minimum: 0 },
      added_members: array(ref('ThreadMemberResponse')),
      removed_member_ids: array(snowflake),
    },
    ['id', 'guild_id', 'member_count'],
  ),
  GUILD_ROLE_CREATE: object({ guild_id: snowflake, role: ref('GuildRoleResponse') }, ['guild_id', 'role']),
  GUILD_ROLE_UPDATE: object({ guild_id: snowflake, role: ref('GuildRoleResponse') }, ['guild_id', 'role']),
  GUILD_ROLE_DELETE: object({ guild_id: snowflake, role_id: snowflake }, ['guild_id', 'role_id']),
  GUILD_BAN_ADD: object({ guild_id: snowflake, user: ref('UserResponse') }, ['guild_id', 'user']),
  GUILD_BAN_REMOVE: object({ guild_id: snowflake, user: ref('UserResponse') }, ['guild_id', 'user']),
  GUILD_EMOJIS_UPDATE: object({ guild_id: snowflake, emojis: array(ref('EmojiResponse')) }, ['guild_id', 'emojis']),
  WEBHOOKS_UPDATE: object({ guild_id: snowflake, channel_id: snowflake }, ['guild_id', 'channel_id']),
  // The application's INTERACTION_CREATE (docs: Interaction Object), or the invoking client's notice `{ id, nonce }`.
  INTERACTION_CREATE: {
    oneOf: [
      object(
        {
          id: snowflake,
          application_id: snowflake,
          type: { type: 'integer', minimum: 2, maximum: 5 },
          data: { type: 'object' },
          guild_id: snowflake,
          channel_id: snowflake,
          channel: object({ id: snowflake, type: { type: 'integer' } }, ['id', 'type']),
          member: { allOf: [ref('GuildMemberResponse'), object({ permissions: { type: 'string' } }, ['permissions'])] },
          user: ref('UserResponse'),
          token: { type: 'string' },
          version: { const: 1 },
          message: ref('MessageResponse'),
          app_permissions: { type: 'string' },
          locale: { type: 'string' },
          guild_locale: { type: 'string' },
          entitlements: array({ type: 'object' }),
          authorizing_integration_owners: { type: 'object' },
          context: { type: 'integer', minimum: 0, maximum: 2 },
          attachment_size_limit: { type: 'integer' },
        },
        [
          'id',
          'application_id',
          'type',
          'data',
          'channel',
          'channel_id',
          'token',
          'version',
          'app_permissions',
          'locale',
          'entitlements',
          'authorizing_integration_owners',
          'context',
          'attachment_size_limit',
        ],
      ),
      object({ id: snowflake, nonce: nullable({ type: 'string' }) }, ['id', 'nonce']),
    ],
  },
  INTERACTION_SUCCESS: object({ id: snowflake, nonce: nullable({ type: 'string' }) }, ['id', 'nonce']),
  INTERACTION_FAILURE: object({ id: snowflake, nonce: nullable({ type: 'string' }) }, ['id', 'nonce']),
  INTERACTION_MODAL_CREATE: object(
    {
      id: snowflake,
      nonce: nullable({ type: 'string' }),
      channel_id: snowflake,
      title: { type: 'string' },
      custom_id: { type: 'string' },
      components: array({ type: 'object' }),
      application: object({ id: snowflake, name: { type: 'string' } }, ['id', 'name']),
    },
    ['id', 'nonce', 'channel_id', 'title', 'custom_id', 'components', 'application'],
  ),
  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: object(
    {
      choices: array(object({ name: { type: 'string' }, value: { type: ['string', 'number'] } }, ['name', 'value'])),
      nonce: nullable({ type: 'string' }),
    },
    ['choices', 'nonce'],
  ),
  // Go Live (discord-userdoccers, gateway events "Streams"; docs/protocol.md "Go Live").
  STREAM_CREATE: object(
    {
      stream_key: { type: 'string' },
      rtc_server_id: snowflake,
      rtc_channel_id: snowflake,
      region: { type: 'string' },
      viewer_ids: array(snowflake),
      paused: { type: 'boolean' },
    },
    ['stream_key', 'rtc_server_id', 'rtc_channel_id', 'region', 'viewer_ids', 'paused'],
  ),
  STREAM_UPDATE: object(
    {
      stream_key: { type: 'string' },
      region: { type: 'string' },
      viewer_ids: array(snowflake),
      paused: { type: 'boolean' },
    },
    ['stream_key', 'region', 'viewer_ids', 'paused'],
  ),
  STREAM_SERVER_UPDATE: object(
    {
      token: { type: 'string' },
      stream_key: { type: 'string' },
      endpoint: nullable({ type: 'string' }),
      guild_id: { type: 'null' },
    },
    ['token', 'stream_key', 'endpoint', 'guild_id'],
  ),
  STREAM_DELETE: object(
    {
      stream_key: { type: 'string' },
      reason: {
        type: 'string',
        enum: ['user_requested', 'stream_ended', 'stream_full', 'unauthorized', 'parse_failed', 'invalid_channel'],
      },
      unavailable: { type: 'boolean' },
    },
    ['stream_key', 'reason'],
  ),
  APPLICATION_COMMAND_PERMISSIONS_UPDATE: ref('CommandPermissionsResponse'),
  GUILD_AUDIT_LOG_ENTRY_CREATE: {
    allOf: [ref('AuditLogEntryResponse'), object({ guild_id: snowflake }, ['guild_id'])],
  },
  INVITE_CREATE: object(
    {
      channel_id: snowflake,
      code: { type: 'string' },
      created_at: timestamp,
      guild_id: snowflake,
      inviter: ref('UserResponse'),
      max_age: { type: 'integer' },
      max_uses: { type: 'integer' },
      temporary: { type: 'boolean' },
      uses: { type: 'integer' },
      expires_at: nullable(timestamp),
    },
    ['channel_id', 'code', 'created_at', 'max_age', 'max_uses', 'temporary', 'uses'],
  ),
  INVITE_DELETE: object({ channel_id: snowflake, guild_id: snowflake, code: { type: 'string' } }, [
    'channel_id',
    'code',
  ]),
  MESSAGE_DELETE_BULK: object({ ids: array(snowflake), channel_id: snowflake, guild_id: snowflake }, [
    'ids',
    'channel_id',
  ]),
  MESSAGE_REACTION_ADD: object(
    {
      user_id: snowflake,
      channel_id: snowflake,
      message_id: snowflake,
      guild_id: snowflake,
      member: ref('GuildMemberResponse'),
      emoji: object({ id: nullable(snowflake), name: nullable({ type: 'string' }), animated: { type: 'boolean' } }, [
        'id',
        'name',
      ]),
      message_author_id: snowflake,
      burst: { type: 'boolean' },
      type: { type: 'integer' },
    },
    ['user_id', 'channel_id', 'message_id', 'emoji', 'burst', 'type'],
  ),
  MESSAGE_REACTION_REMOVE: object(
    {
      user_id: snowflake,
      channel_id: snowflake,
      message_id: snowflake,
      guild_id: snowflake,
      emoji: object({ id: nullable(snowflake), name: nullable({ type: 'string' }) }, ['id', 'name']),
      burst: { type: 'boolean' },
      type: { type: 'integer' },
    },
    ['user_id', 'channel_id', 'message_id', 'emoji'],
  ),
  MESSAGE_REACTION_REMOVE_ALL: object({ channel_id: snowflake, message_id: snowflake, guild_id: snowflake }, [
    'channel_id',
    'message_id',
  ]),
  MESSAGE_REACTION_REMOVE_EMOJI: object(
    {
      channel_id: snowflake,
      message_id: snowflake,
      guild_id: snowflake,
      emoji: object({ id: nullable(snowflake), name: nullable({ type: 'string' }) }, ['id', 'name']),
    },
    ['channel_id', 'message_id', 'emoji'],
  ),
  USER_UPDATE: ref('UserPIIResponse'),
  MESSAGE_CREATE: ref('GatewayMessage'),
  MESSAGE_UPDATE: ref('GatewayMessage'),
  MESSAGE_DELETE: object({ id: snowflake, channel_id: snowflake, guild_id: snowflake }, ['id', 'channel_id']),
  TYPING_START: object(
    {
      channel_id: snowflake,
      guild_id: snowflake,
      user_id: snowflake,
      timestamp: { type: 'integer' },
      member: ref('GuildMemberResponse'),
    },
    ['channel_id', 'user_id', 'timestamp'],
  ),
  SOUNDBOARD_SOUNDS: object({ guild_id: snowflake, soundboard_sounds: { type: 'array' } }, [
    'guild_id',
    'soundboard_sounds',
  ]),
  RATE_LIMITED: object({ opcode: { type: 'integer' }, retry_after: { type: 'number' }, meta: { type: 'object' } }, [
    'opcode',
    'retry_after',
    'meta',
  ]),
};
