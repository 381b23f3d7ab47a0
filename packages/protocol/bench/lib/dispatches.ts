// A deterministic, realistic stream of gateway dispatches (shapes as Discord sends them), shared by the
// compression bench and the zlib-stream tests.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to a in is you that it he was for on are as with his they at be this have from or one had by word ' +
  'but not what all were we when your can said there use an each which she do how their if will up other about ' +
  'out many then them these so some her would make like him into time has look two more write go see number no ' +
  'way could people my than first water been call who oil its now find long down day did get come made may part ' +
  'gg lol raid tonight anyone patch notes server lag brb ping deploy build merge review ship it'
).split(' ');

const DISCORD_EPOCH = 1420070400000n;

export interface DispatchStreamOptions {
  count?: number;
  seed?: number;
}

/** `count` dispatches: about 60% MESSAGE_CREATE, 25% PRESENCE_UPDATE, 15% TYPING_START, with sequence numbers. */
export function dispatchStream(options: DispatchStreamOptions = {}): Record<string, unknown>[] {
  const count = options.count ?? 5000;
  const random = mulberry32(options.seed ?? 42);
  const int = (n: number) => Math.floor(random() * n);
  let now = 1_764_000_000_000;
  let increment = 0n;
  const snowflake = () =>
    String(((BigInt(now) - DISCORD_EPOCH) << 22n) | (BigInt(int(32)) << 12n) | (increment++ % 4096n));
  const guildIds = Array.from({ length: 3 }, snowflake);
  const channelIds = Array.from({ length: 12 }, snowflake);
  const users = Array.from({ length: 200 }, (_, i) => ({
    id: snowflake(),
    username: `${WORDS[int(WORDS.length)]}_${WORDS[int(WORDS.length)]}${i}`,
    global_name: random() < 0.7 ? `${WORDS[int(WORDS.length)]} ${WORDS[int(WORDS.length)]}` : null,
    avatar: random() < 0.8 ? Array.from({ length: 32 }, () => '0123456789abcdef'[int(16)]).join('') : null,
    discriminator: '0',
    public_flags: int(4) === 0 ? 64 : 0,
    avatar_decoration_data: null,
  }));
  const member = (joined: string) => ({
    roles: Array.from({ length: int(4) }, () => guildIds[0]),
    premium_since: null,
    pending: false,
    nick: random() < 0.2 ? WORDS[int(WORDS.length)] : null,
    mute: false,
    joined_at: joined,
    flags: 0,
    deaf: false,
    communication_disabled_until: null,
    avatar: null,
  });
  const out: Record<string, unknown>[] = [];
  for (let s = 1; s <= count; s++) {
    now += int(400);
    const iso = new Date(now).toISOString().replace('Z', '000+00:00');
    const user = users[Math.floor(random() ** 2 * users.length)]!;
    const guild_id = guildIds[int(guildIds.length)]!;
    const channel_id = channelIds[int(channelIds.length)]!;
    const kind = random();
    let t: string;
    let d: Record<string, unknown>;
    if (kind < 0.6) {
      t = 'MESSAGE_CREATE';
      const length = 1 + int(25);
      d = {
        type: 0,
        tts: false,
        timestamp: iso,
        pinned: false,
        nonce: snowflake(),
        mentions: random() < 0.1 ? [users[int(users.length)]] : [],
        mention_roles: [],
        mention_everyone: false,
        member: member(iso),
        id: snowflake(),
        flags: 0,
        embeds: [],
        edited_timestamp: null,
        content: Array.from({ length }, () => WORDS[int(WORDS.length)]).join(' '),
        components: [],
        channel_type: 0,
        channel_id,
        author: user,
        attachments: [],
        guild_id,
      };
    } else if (kind < 0.85) {
      t = 'PRESENCE_UPDATE';
      const status = ['online', 'idle', 'dnd', 'offline'][int(4)]!;
      d = {
        user: { id: user.id },
        status,
        guild_id,
        client_status: status === 'offline' ? {} : { [['desktop', 'mobile', 'web'][int(3)]!]: status },
        activities:
          random() < 0.4
            ? [
                {
                  type: 0,
                  name: `${WORDS[int(WORDS.length)]} ${WORDS[int(WORDS.length)]}`,
                  id: 'ec0b28a579ecb4bd',
                  created_at: now,
                },
              ]
            : [],
      };
    } else {
      t = 'TYPING_START';
      d = {
        user_id: user.id,
        timestamp: Math.floor(now / 1000),
        member: { ...member(iso), user },
        channel_id,
        guild_id,
      };
    }
    out.push({ t, s, op: 0, d });
  }
  return out;
}
