/**
 * The body of a MESSAGE_CREATE of realistic size (~0.8 KB as JSON), shared by the fan-out and load benches so both
 * measure the same payload. Callers add `nonce` (first or last key: the load clients find it by position).
 */
export function chatMessage(id: string, channelId: string, guildId: string): Record<string, unknown> {
  return {
    id,
    type: 0,
    channel_id: channelId,
    guild_id: guildId,
    author: {
      id: '80351110224678912',
      username: 'nelly',
      global_name: 'Nelly',
      avatar: '8342729096ea3675442027381ff50dfe',
      discriminator: '0',
      public_flags: 64,
    },
    member: {
      roles: ['41771983423143936'],
      joined_at: '2015-04-26T06:26:56.936000+00:00',
      deaf: false,
      mute: false,
      flags: 0,
    },
    content:
      'Supa Hot — a realistic two-sentence message so the payload has the size of real chat traffic, emoji 🔥 included.',
    timestamp: '2026-11-26T05:00:00.000000+00:00',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
    components: [],
  };
}
