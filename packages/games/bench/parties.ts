// Party create / join / close throughput (issue #20): a 5-player party (one leader, four joining with join tokens),
// then closed, through GameHost on an in-memory community — against the naive way to get an ephemeral group from
// Discord's primitives, a guild per party (created by the service user, four members joining, deleted). Both
// dispatch to a gateway that drops everything (what is measured is the community work, not a socket).
// Run: node --expose-gc --import tsx packages/games/bench/parties.ts [--quick]

import { comparison, report } from '@concord/bench-kit';
import { InMemoryBroker } from '@concord/gateway-server';
import { Community, type CommunityGateway } from '@concord/guilds';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { GameHost } from '../src/index.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 400 : 1000;
const MEMBERS = 5;

const silentGateway = {
  broker: new InMemoryBroker(),
  dispatchToGuild() {},
  dispatchToChannel() {},
  dispatchToUsers() {},
  async addGuildMember() {},
  removeGuildMember() {},
  async moveVoiceMember() {
    return 0;
  },
  async refreshVoiceState() {
    return 0;
  },
};

async function setup() {
  const community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
  await community.attach(silentGateway as unknown as CommunityGateway);
  const host = await GameHost.open({
    community,
    guild: { id: '1300000000000000000', name: 'Bench Game' },
    serviceUser: { id: '1300000000000000001', username: 'Bench Game' },
    keys: [{ id: 'k1', secret: 'a bench secret, long enough for HS256 signing' }],
  });
  const players: string[] = [];
  for (let i = 0; i < 200; i++) {
    const id = String(1300000000000000100n + BigInt(i));
    await host.createPlayer({ id, username: `p${i}` });
    players.push(id);
  }
  return { community, host, players };
}

const game = await setup();
let turn = 0;
/** Ours: a party, four players joining with per-player join tokens, the end. */
async function ours(): Promise<void> {
  const base = (turn++ * MEMBERS) % (game.players.length - MEMBERS);
  const [leader, ...rest] = game.players.slice(base, base + MEMBERS) as [string, ...string[]];
  const party = await game.host.createParty({ leaderId: leader, capacity: MEMBERS });
  for (const userId of rest) await party.join(userId, { token: party.createJoinToken({ userId }) });
  await party.end();
}

const naive = await setup();
const owner = '1300000000000000001';
/** Baseline: a guild per party (the service user owns it), four members join, the guild is deleted. */
async function baseline(): Promise<void> {
  const base = (turn++ * MEMBERS) % (naive.players.length - MEMBERS);
  const members = naive.players.slice(base, base + MEMBERS);
  const guild = await naive.community.guilds.create(owner, { name: 'Party' }, { ignoreLimit: true });
  for (const userId of members.slice(1)) await naive.community.members.join(userId, guild.id);
  await naive.community.guilds.delete(owner, guild.id);
}

/** Parties per second of `fn` over about `ms`. */
async function rate(fn: () => Promise<void>, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
await rate(ours, 300);
await rate(baseline, 300);
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds: machine noise hits both alike.
  a.push(await rate(ours, ROUND_MS));
  b.push(await rate(baseline, ROUND_MS));
}
report(
  'Parties: create, four joins with join tokens, close',
  [
    comparison(
      'games.party.lifecycle',
      `parties/s (create + ${MEMBERS - 1} joins + close, in-memory store)`,
      median(a),
      median(b),
      'a guild per party',
    ),
  ],
  [`rounds: ours ${a.map((x) => x.toFixed(0)).join(' ')}; baseline ${b.map((x) => x.toFixed(0)).join(' ')}`],
);
