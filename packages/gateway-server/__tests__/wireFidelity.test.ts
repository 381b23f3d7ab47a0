// Issue #13 causes 2–6: the objects the gateway builds carry every field Discord sends, in Discord's formats, even
// when the directory's snapshot leaves them out (discord.py, JDA and strict Rust clients read them unconditionally).
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import {
  ALL_NON_PRIVILEGED,
  connect,
  GUILD_A,
  GUILD_MEMBERS,
  GUILD_PRESENCES,
  guild,
  startServer,
  type TestClient,
} from './helpers.js';

/** Discord's timestamp form: microseconds and `+00:00`, never `Z`. */
const DISCORD_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

let server: GatewayServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function ready(userId: string, intents = ALL_NON_PRIVILEGED) {
  server ??= await startServer({ directory: new InMemoryDirectory().addGuild(guild(GUILD_A, ['1', '2', '3'])) });
  const c = await connect(server);
  clients.push(c);
  const r = await c.ready(userId, { intents });
  const created = await c.dispatch('GUILD_CREATE');
  return { c, ready: r.d, guild: created.d };
}

describe('GUILD_CREATE from a minimal snapshot', () => {
  it('members carry flags, pending, avatar, banner, premium_since and communication_disabled_until (cause 2)', async () => {
    const { guild: g } = await ready('1');
    for (const m of g.members) {
      expect(m).toMatchObject({
        flags: 0,
        pending: false,
        avatar: null,
        banner: null,
        premium_since: null,
        communication_disabled_until: null,
        deaf: false,
        mute: false,
        nick: null,
      });
      expect(m.user).toMatchObject({ public_flags: 0, flags: 0, bot: true, banner: null, primary_guild: null });
    }
  });

  it('carries every scalar guild field with Discord defaults (cause 3)', async () => {
    const { guild: g } = await ready('1');
    expect(g).toMatchObject({
      afk_timeout: 300,
      afk_channel_id: null,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      nsfw: false,
      preferred_locale: 'en-US',
      premium_progress_bar_enabled: false,
      premium_tier: 0,
      premium_subscription_count: 0,
      system_channel_flags: 0,
      system_channel_id: null,
      verification_level: 0,
      features: [],
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      vanity_url_code: null,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      application_id: null,
      widget_enabled: false,
      widget_channel_id: null,
      max_members: expect.any(Number),
      max_video_channel_users: expect.any(Number),
      max_stage_video_channel_users: expect.any(Number),
      max_presences: null,
      hub_type: null,
      incidents_data: null,
      emojis: [],
      stickers: [],
      // GUILD_CREATE's own fields.
      large: false,
      unavailable: false,
      member_count: 3,
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      voice_states: [],
      presences: [],
    });
    for (const channel of g.channels) {
      expect(channel).toMatchObject({ position: expect.any(Number), permission_overwrites: [], flags: 0, nsfw: false });
    }
    expect(g.channels.find((c: { type: number }) => c.type === 2)).toMatchObject({
      bitrate: expect.any(Number),
      user_limit: 0,
      rtc_region: null,
    });
  });

  it('roles carry colors, icon, unicode_emoji, flags (cause 4)', async () => {
    const { guild: g } = await ready('1');
    expect(g.roles[0]).toEqual({
      id: GUILD_A,
      name: '@everyone',
      permissions: expect.any(String),
      position: 0,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      managed: false,
      mentionable: false,
      icon: null,
      unicode_emoji: null,
      flags: 0,
    });
  });

  it('formats timestamps as Discord does: microseconds and +00:00 (cause 5)', async () => {
    // The fixture's members joined at '2020-01-01T00:00:00.000Z' (Date.toISOString form).
    const { guild: g } = await ready('1');
    expect(g.joined_at).toBe('2020-01-01T00:00:00.000000+00:00');
    for (const m of g.members) expect(m.joined_at).toMatch(DISCORD_TIMESTAMP);
  });
});

describe('READY', () => {
  it("user is the current user with Discord's private fields (cause 6)", async () => {
    const { ready: r } = await ready('1');
    expect(r.user).toMatchObject({
      id: '1',
      username: 'user1',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
      mfa_enabled: false,
      verified: true,
      flags: 0,
      public_flags: 0,
      locale: 'en-US',
      premium_type: 0,
      email: null,
      banner: null,
      accent_color: null,
    });
    expect(r).toMatchObject({
      v: 10,
      guilds: [{ id: GUILD_A, unavailable: true }],
      session_id: expect.any(String),
      resume_gateway_url: expect.any(String),
      application: { id: '1', flags: 0 },
      session_type: 'normal',
      private_channels: [],
    });
  });
});

describe('members and presences outside GUILD_CREATE', () => {
  it('GUILD_MEMBERS_CHUNK members are full member objects', async () => {
    const { c } = await ready('1', ALL_NON_PRIVILEGED | GUILD_MEMBERS | GUILD_PRESENCES);
    c.send({ op: 8, d: { guild_id: GUILD_A, query: '', limit: 0, presences: true } });
    const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK');
    expect(chunk.d.members).toHaveLength(3);
    for (const m of chunk.d.members) {
      expect(m).toMatchObject({ flags: 0, pending: false, communication_disabled_until: null });
      expect(m.joined_at).toMatch(DISCORD_TIMESTAMP);
    }
  });

  it('PRESENCE_UPDATE activities carry id and created_at, client_status is present', async () => {
    const watcher = await ready('1', ALL_NON_PRIVILEGED | GUILD_PRESENCES);
    const other = await ready('2');
    other.c.send({ op: 3, d: { since: null, afk: false, status: 'idle', activities: [{ name: 'chess', type: 0 }] } });
    const update = await watcher.c.next((p) => p.t === 'PRESENCE_UPDATE' && p.d.user.id === '2');
    expect(update.d).toEqual({
      user: { id: '2' },
      guild_id: GUILD_A,
      status: 'idle',
      activities: [{ name: 'chess', type: 0, id: expect.any(String), created_at: expect.any(Number) }],
      client_status: { desktop: 'idle' },
    });
  });

  it('VOICE_STATE_UPDATE carries self_stream, request_to_speak_timestamp and a full member', async () => {
    const { c } = await ready('1');
    c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: `${GUILD_A}2`, self_mute: false, self_deaf: false } });
    const state = await c.dispatch('VOICE_STATE_UPDATE');
    expect(state.d).toMatchObject({
      guild_id: GUILD_A,
      channel_id: `${GUILD_A}2`,
      user_id: '1',
      self_stream: false,
      self_video: false,
      request_to_speak_timestamp: null,
      member: { flags: 0, user: { id: '1' } },
    });
    expect(state.d.member.joined_at).toMatch(DISCORD_TIMESTAMP);
  });
});
