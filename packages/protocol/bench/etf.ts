// ETF encode/decode against erlpack (Discord's native C++ codec) and JSON, on gateway-shaped payloads.
// Run: node --expose-gc --import tsx packages/protocol/bench/etf.ts
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { decodeEtf, encodeEtf } from '../src/etf/index.js';

const require = createRequire(import.meta.url);
const erlpack = require('erlpack') as { pack(value: unknown): Uint8Array; unpack(data: Uint8Array): unknown };

// Deterministic data: the same payloads on every run.
let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const snowflake = () => String((BigInt(Math.floor(rand() * 2 ** 40)) << 22n) | BigInt(Math.floor(rand() * 2 ** 22)));
const words = ['hello', 'world', 'gateway', 'ready', 'voice', 'guild', 'café', 'naïve', '🎉', '日本', 'ok', 'lgtm'];
const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');
const iso = () => new Date(1_700_000_000_000 + Math.floor(rand() * 1e10)).toISOString();

const user = () => ({
  id: snowflake(),
  username: `user_${Math.floor(rand() * 1e6)}`,
  global_name: rand() < 0.5 ? null : sentence(2),
  avatar: rand() < 0.3 ? null : 'a_0123456789abcdef0123456789abcdef',
  discriminator: '0',
  public_flags: Math.floor(rand() * 256),
  flags: 0,
  bot: rand() < 0.1,
  banner: null,
  accent_color: rand() < 0.5 ? null : Math.floor(rand() * 0xffffff),
  avatar_decoration_data: null,
});

const ready = {
  op: 0,
  s: 1,
  t: 'READY',
  d: {
    v: 10,
    user: { ...user(), verified: true, mfa_enabled: false, email: null },
    guilds: Array.from({ length: 100 }, () => ({ id: snowflake(), unavailable: true })),
    session_id: '2a3f1c9d8e7b6a5f4e3d2c1b0a998877',
    resume_gateway_url: 'wss://gateway-us-east1-b.discord.gg',
    session_type: 'normal',
    shard: [0, 1],
    application: { id: snowflake(), flags: 565248 },
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    user_settings: {},
    geo_ordered_rtc_regions: ['us-east', 'us-central', 'atlanta', 'newark', 'us-south'],
    _trace: ['["gateway-prd-us-east1-b-abcd",{"micros":123456,"calls":[]}]'],
  },
};

const guildId = snowflake();
const guildCreate = {
  op: 0,
  s: 2,
  t: 'GUILD_CREATE',
  d: {
    id: guildId,
    name: 'Concord Test Guild',
    icon: null,
    owner_id: snowflake(),
    member_count: 200,
    large: false,
    joined_at: iso(),
    features: ['COMMUNITY', 'NEWS', 'INVITE_SPLASH'],
    roles: Array.from({ length: 10 }, (_, i) => ({
      id: snowflake(),
      name: `role ${i}`,
      color: Math.floor(rand() * 0xffffff),
      hoist: rand() < 0.5,
      position: i,
      permissions: String(Math.floor(rand() * 2 ** 40)),
      managed: false,
      mentionable: false,
    })),
    channels: Array.from({ length: 30 }, (_, i) => ({
      id: snowflake(),
      type: i % 5 === 0 ? 2 : 0,
      name: `channel-${i}`,
      position: i,
      parent_id: null,
      topic: rand() < 0.5 ? null : sentence(8),
      nsfw: false,
      rate_limit_per_user: 0,
      permission_overwrites: [],
    })),
    members: Array.from({ length: 200 }, () => ({
      user: user(),
      nick: rand() < 0.7 ? null : sentence(2),
      roles: Array.from({ length: Math.floor(rand() * 4) }, snowflake),
      joined_at: iso(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
    })),
    voice_states: [],
    presences: [],
  },
};

const messageCreate = {
  op: 0,
  s: 42,
  t: 'MESSAGE_CREATE',
  d: {
    id: snowflake(),
    channel_id: snowflake(),
    guild_id: guildId,
    author: user(),
    member: { roles: [snowflake()], joined_at: iso(), deaf: false, mute: false, flags: 0 },
    content: `${sentence(25)} 🚀`,
    timestamp: iso(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: 0,
    nonce: snowflake(),
  },
};

/**
 * The same payload as Discord's own servers write it: atom keys and 64-bit snowflakes as SMALL_BIG (the shape a
 * client decodes). Bench-only, built from our encoder's leaves.
 */
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
function discordStyle(value: unknown): Uint8Array {
  const out: number[] = [131];
  const leaf = (v: unknown) => {
    for (const byte of encodeEtf(v).subarray(1)) out.push(byte);
  };
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && /^[1-9]\d{16,18}$/.test(v)) {
      leaf(BigInt(v));
    } else if (Array.isArray(v) && v.length > 0) {
      out.push(108, ...u32(v.length));
      for (const x of v) walk(x);
      out.push(106);
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v);
      out.push(116, ...u32(entries.length));
      for (const [k, x] of entries) {
        out.push(115, k.length, ...[...k].map((c) => c.charCodeAt(0)));
        walk(x);
      }
    } else {
      leaf(v);
    }
  };
  walk(value);
  return Uint8Array.from(out);
}
const cases = [
  ['ready', ready],
  ['guild_create', guildCreate],
  ['message_create', messageCreate],
] as const;

const rows: Comparison[] = [];
const notes: string[] = [];
for (const [name, payload] of cases) {
  const etf = encodeEtf(payload);
  const packed = erlpack.pack(payload);
  const json = JSON.stringify(payload);
  if (Buffer.compare(Buffer.from(etf), Buffer.from(packed)) !== 0)
    throw new Error(`${name}: bytes differ from erlpack`);
  const jsonBytes = Buffer.byteLength(json);
  notes.push(
    `${name}: ETF ${etf.length} bytes, JSON ${jsonBytes} bytes (ETF/JSON ${(etf.length / jsonBytes).toFixed(2)})`,
  );
  const opts = { rounds: 5, timeMs: 250 };
  rows.push(
    compareOps({
      bench: `protocol.etf.encode.${name}`,
      against: 'erlpack',
      ours: () => encodeEtf(payload),
      baseline: () => erlpack.pack(payload),
      ...opts,
    }),
    compareOps({
      bench: `protocol.etf.decode.${name}`,
      against: 'erlpack',
      ours: () => decodeEtf(etf),
      baseline: () => erlpack.unpack(packed),
      ...opts,
    }),
    compareOps({
      bench: `protocol.etf.encode.${name}.json`,
      against: 'JSON.stringify',
      ours: () => encodeEtf(payload),
      baseline: () => JSON.stringify(payload),
      ...opts,
    }),
    compareOps({
      bench: `protocol.etf.decode.${name}.json`,
      against: 'JSON.parse',
      ours: () => decodeEtf(etf),
      baseline: () => JSON.parse(json),
      ...opts,
    }),
  );
  const discord = discordStyle(payload);
  if (!isDeepStrictEqual(decodeEtf(discord), erlpack.unpack(discord))) throw new Error(`${name}: decodes differ`);
  rows.push(
    compareOps({
      bench: `protocol.etf.decode.${name}.discord_style`,
      against: 'erlpack',
      ours: () => decodeEtf(discord),
      baseline: () => erlpack.unpack(discord),
      ...opts,
    }),
  );
  rows.push(comparison(`protocol.etf.size.${name}`, 'bytes', etf.length, jsonBytes, 'JSON', true));
}

report('ETF codec: ours vs erlpack (native) and JSON', rows, notes);
