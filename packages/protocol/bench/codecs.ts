// What the bounds cost: our MessagePack decoder vs @msgpack/msgpack's (which allocates declared lengths before checking
// that the bytes exist, issue #12), and encodeJson/decodeJson (JSON.stringify/JSON.parse plus a walk that enforces the
// depth limit) vs the bare builtins. Client frames (<= 4 KiB) are what a server decodes; the big payloads are what a
// client decodes; encode is the server's fan-out path.
// Run: node --expose-gc --import tsx packages/protocol/bench/codecs.ts
import { type Comparison, compareOps, report } from '@concord/bench-kit';
import { Decoder } from '@msgpack/msgpack';
import { decodeJson, encodeJson } from '../src/json/index.js';
import { msgpackEncoding } from '../src/msgpack/index.js';
import { dispatchStream } from './lib/dispatches.js';

const library = new Decoder({ useBigInt64: true });
const stream = dispatchStream({ count: 2000 });
const identify = {
  op: 2,
  d: {
    token: 'MTA1ODg2NjE5MzM2MTg4NzI1Mg.GhXkPz.abcdefghijklmnopqrstuvwxyz0123456789ABCD',
    intents: 53608447,
    properties: { os: 'linux', browser: 'concord', device: 'concord' },
    compress: false,
    large_threshold: 250,
    shard: [0, 1],
    presence: { since: null, activities: [{ name: 'a game', type: 0 }], status: 'online', afk: false },
  },
};
const guildCreate = { op: 0, s: 1, t: 'GUILD_CREATE', d: { id: '1', members: stream.slice(0, 1000).map((p) => p.d) } };

const cases: [string, unknown[]][] = [
  ['identify', [identify]],
  ['dispatch', stream],
  ['guild_create', [guildCreate]],
];

const rows: Comparison[] = [];
const notes: string[] = [];
for (const [name, payloads] of cases) {
  const packed = payloads.map((p) => msgpackEncoding.encode(p) as Uint8Array);
  const texts = payloads.map((p) => encodeJson(p));
  notes.push(
    `${name}: ${payloads.length} payload(s), msgpack ${packed.reduce((n, b) => n + b.byteLength, 0)} bytes, JSON ${texts.reduce((n, t) => n + t.length, 0)} chars`,
  );
  let i = 0;
  let j = 0;
  rows.push(
    compareOps({
      bench: `protocol.msgpack.decode.${name}`,
      against: '@msgpack/msgpack Decoder (unbounded)',
      ours: () => msgpackEncoding.decode(packed[i++ % packed.length]!),
      baseline: () => library.decode(packed[j++ % packed.length]!),
      rounds: 5,
    }),
  );
  let k = 0;
  let l = 0;
  let m = 0;
  let n = 0;
  rows.push(
    compareOps({
      bench: `protocol.json.decode.${name}`,
      against: 'JSON.parse',
      ours: () => decodeJson(texts[k++ % texts.length]!),
      baseline: () => JSON.parse(texts[l++ % texts.length]!),
      rounds: 5,
    }),
    compareOps({
      bench: `protocol.json.encode.${name}`,
      against: 'JSON.stringify',
      ours: () => encodeJson(payloads[m++ % payloads.length]),
      baseline: () => JSON.stringify(payloads[n++ % payloads.length]),
      rounds: 5,
    }),
  );
}

report('@concord/protocol: bounded codecs vs unbounded', rows, notes);
