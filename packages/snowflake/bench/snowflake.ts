// Generation and decoding against @sapphire/snowflake (what discord.js uses), in the same run.
//   node --expose-gc --import tsx packages/snowflake/bench/snowflake.ts
// Generation is reported twice: the raw CPU rate with the layout's ceiling lifted (a generator allowed to run ahead of
// the clock without bound, so it never waits), and the sustained rate of a default generator over millions of ids,
// which the 12-bit sequence caps at 4096 ids/ms. Reaching the ceiling means the sustained rate equals 4.096 M/s.
import { type Comparison, compareOps, comparison, report } from '@concord/bench-kit';
import { DiscordSnowflake } from '@sapphire/snowflake';
import { deconstruct, IDS_PER_MILLISECOND, idFromTimestamp, SnowflakeGenerator, timestampOf } from '../src/index.js';

const BATCH = 1000;
const CEILING = IDS_PER_MILLISECOND * 1000;
const SAPPHIRE = '@sapphire/snowflake';

let sink: unknown;

// --- raw generation: CPU cost per id ---------------------------------------------------------------------------------
// Both read Date.now() once per id. Ours may run 2^41 ms ahead here, so it never waits; sapphire never waits anyway (it
// wraps its sequence instead, which repeats ids past 4096 per ms).
const unlimited = new SnowflakeGenerator({ processId: 1, maxClockRegressionMs: 2 ** 41 });
const rows: Comparison[] = [];
const generate = compareOps({
  bench: 'snowflake.generate.raw',
  against: SAPPHIRE,
  opsPerCall: BATCH,
  ours: () => {
    for (let i = 0; i < BATCH; i++) sink = unlimited.next();
  },
  baseline: () => {
    for (let i = 0; i < BATCH; i++) sink = DiscordSnowflake.generate();
  },
});
rows.push(generate);
rows.push(
  comparison('snowflake.generate.cost', 'ns/id', 1e9 / generate.ours, 1e9 / generate.baseline, SAPPHIRE, true),
);
rows.push(
  compareOps({
    bench: 'snowflake.nextString.raw',
    against: `${SAPPHIRE} generate().toString()`,
    opsPerCall: BATCH,
    ours: () => {
      for (let i = 0; i < BATCH; i++) sink = unlimited.nextString();
    },
    baseline: () => {
      for (let i = 0; i < BATCH; i++) sink = DiscordSnowflake.generate().toString();
    },
  }),
);

// --- sustained generation: the layout's ceiling -----------------------------------------------------------------------
/** Ids per second over `n` ids at full speed, after the generator has used up its allowance to run ahead. */
function sustained(gen: SnowflakeGenerator, n: number): number {
  // Priming gives up after 3 s: a machine too busy to outrun the ceiling never builds the lead.
  const deadline = Date.now() + 3000;
  do for (let i = 0; i < 4096; i++) gen.next();
  while (gen.lastTimestamp - Date.now() < gen.maxClockRegressionMs && Date.now() < deadline);
  const start = performance.now();
  let prev = gen.next();
  for (let i = 1; i < n; i++) {
    const id = gen.next();
    if (id <= prev) throw new Error(`not increasing: ${id} after ${prev}`);
    prev = id;
  }
  return (n * 1000) / (performance.now() - start);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const N = 4 * 1024 * 1024; // ~1 s at the ceiling
const byDefault = new SnowflakeGenerator({ processId: 1 });
const strict = new SnowflakeGenerator({ processId: 2, maxClockRegressionMs: 0 });
const defaultRuns: number[] = [];
const strictRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  defaultRuns.push(sustained(byDefault, N));
  strictRuns.push(sustained(strict, N));
}
rows.push(comparison('snowflake.generate.sustained', 'ids/s', median(defaultRuns), CEILING, 'layout ceiling 4096/ms'));
rows.push(
  comparison('snowflake.generate.sustained.strict', 'ids/s', median(strictRuns), CEILING, 'layout ceiling 4096/ms'),
);

// The same number of ids from sapphire, counting the ones that are not above their predecessor (repeats or worse).
let sapphireBad = 0;
{
  let prev = DiscordSnowflake.generate();
  const start = performance.now();
  for (let i = 1; i < N; i++) {
    const id = DiscordSnowflake.generate();
    if (id <= prev) sapphireBad++;
    prev = id;
  }
  sink = performance.now() - start;
}

// --- decoding ---------------------------------------------------------------------------------------------------------
// 1000 ids spread over 2016-2026 with random low bits, as strings (what JSON carries) and as bigints.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const from = Date.UTC(2016, 0, 1);
const to = Date.UTC(2026, 0, 1);
const bigints = Array.from(
  { length: BATCH },
  () => idFromTimestamp(from + Math.floor(random() * (to - from))) | BigInt(Math.floor(random() * 2 ** 22)),
);
const strings = bigints.map(String);

function decodeRow(bench: string, ours: (id: never) => unknown, theirs: (id: never) => unknown, ids: unknown[]) {
  return compareOps({
    bench,
    against: SAPPHIRE,
    opsPerCall: BATCH,
    ours: () => {
      for (let i = 0; i < BATCH; i++) sink = ours(ids[i] as never);
    },
    baseline: () => {
      for (let i = 0; i < BATCH; i++) sink = theirs(ids[i] as never);
    },
  });
}

const sapphireDeconstruct = (id: string | bigint) => DiscordSnowflake.deconstruct(id);
const sapphireTimestamp = (id: string | bigint) => DiscordSnowflake.timestampFrom(id);
rows.push(decodeRow('snowflake.deconstruct.string', deconstruct, sapphireDeconstruct, strings));
rows.push(decodeRow('snowflake.deconstruct.bigint', deconstruct, sapphireDeconstruct, bigints));
rows.push(decodeRow('snowflake.timestampOf.string', timestampOf, sapphireTimestamp, strings));
rows.push(decodeRow('snowflake.timestampOf.bigint', timestampOf, sapphireTimestamp, bigints));

if (sink === Symbol.for('never')) console.log(sink);
const raw = generate.ours;
report('@concord/snowflake vs @sapphire/snowflake', rows, [
  `ceiling: 4096 ids/ms per (worker, process) = ${(CEILING / 1e6).toFixed(3)} M ids/s`,
  `raw generation: ours ${(raw / 1e6).toFixed(2)} M ids/s = ${(1e9 / raw).toFixed(1)} ns/id (${(raw / CEILING).toFixed(2)}x the ceiling), ` +
    `${SAPPHIRE} ${(generate.baseline / 1e6).toFixed(2)} M ids/s; a Date.now() read alone costs ${clockCost().toFixed(1)} ns here`,
  `sustained runs (${N} ids each, after the run-ahead allowance is used up): default ${defaultRuns.map(m).join(', ')}; ` +
    `maxClockRegressionMs 0: ${strictRuns.map(m).join(', ')}`,
  `${SAPPHIRE}, same ${N} ids at full speed: ${sapphireBad} not above the previous id (its sequence wraps within a millisecond)`,
  'decoding: ours validates the input and returns numbers (id as bigint); sapphire does not validate and returns bigints',
]);

function m(v: number): string {
  return `${(v / 1e6).toFixed(3)}M`;
}

function clockCost(): number {
  let x = 0;
  const n = 1_000_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) x += Date.now();
  const ns = ((performance.now() - start) * 1e6) / n;
  sink = x;
  return ns;
}
