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
  CHANNEL_CREATE: ref('GuildChannelResponse'),
  CHANNEL_UPDATE: ref('GuildChannelResponse'),
  CHANNEL_DELETE: ref('GuildChannelResponse'),
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
