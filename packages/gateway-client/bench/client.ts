// Dispatch throughput and memory per shard: @concord/gateway-client vs @discordjs/ws, both fed the same recorded
// zlib-stream from a local server. Run: node --expose-gc --import tsx packages/gateway-client/bench/client.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { comparison, report } from '@concord/bench-kit';
import { getEncoding } from '@concord/protocol';
import { createZlibStreamDeflater } from '@concord/protocol/compression';
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { WebSocketServer } from 'ws';
import { GatewayConnection, ShardManager } from '../src/index.js';

const N = Number(process.env.BENCH_DISPATCHES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 20);

function message(i: number) {
  return {
    id: String(1_200_000_000_000_000_000n + BigInt(i) * 4_194_304n),
    channel_id: '1100000000000000001',
    guild_id: '1000000000000000001',
    author: {
      id: String(1_000_000 + (i % 50)),
      username: `user${i % 50}`,
      global_name: null,
      avatar: null,
      discriminator: '0',
    },
    member: { roles: ['1000000000000000002'], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false },
    content: `message number ${i} with some text to compress ${'lorem ipsum '.repeat(i % 7)}`,
    timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
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
    nonce: String(i),
  };
}

/** One recorded zlib-stream per encoding: Hello, READY, then N dispatches, deflated by one context, in order. */
function record(encodingName: 'json' | 'etf') {
  const encoding = getEncoding(encodingName);
  const deflater = createZlibStreamDeflater();
  const frame = (p: unknown) => Buffer.from(deflater.compress(encoding.encode(p)));
  const hello = frame({ op: 10, d: { heartbeat_interval: 60_000 }, s: null, t: null });
  const ready = frame({
    op: 0,
    t: 'READY',
    s: 1,
    d: {
      v: 10,
      user: { id: '1', username: 'bot' },
      guilds: [],
      session_id: 'bench',
      resume_gateway_url: 'ws://x',
      application: { id: '1', flags: 0 },
    },
  });
  const dispatches: Buffer[] = [];
  for (let i = 0; i < N; i++) dispatches.push(frame({ op: 0, t: 'MESSAGE_CREATE', s: i + 2, d: message(i) }));
  const bytes = dispatches.reduce((n, b) => n + b.length, 0);
  return { hello, ready, dispatches, bytes };
}

const recordings = { json: record('json'), etf: record('etf') };
// Idle shards (memory test) get Hello + READY only.
let sendStream = true;

const http = createServer((req, res) => {
  if (req.url?.endsWith('/gateway/bot')) {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
        shards: 1,
        session_start_limit: { total: 100_000, remaining: 100_000, reset_after: 0, max_concurrency: 64 },
      }),
    );
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const encoding = new URL(req.url ?? '/', 'http://x').searchParams.get('encoding') === 'etf' ? 'etf' : 'json';
  const rec = recordings[encoding];
  ws.send(rec.hello);
  ws.on('message', (data, isBinary) => {
    const payload = getEncoding(encoding).decode(isBinary ? new Uint8Array(data as Buffer) : data.toString()) as {
      op: number;
    };
    // Heartbeats are not answered: the 60 s interval never comes round within a run.
    if (payload.op === 2) {
      ws.send(rec.ready);
      if (sendStream) for (const frame of rec.dispatches) ws.send(frame);
    }
  });
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const port = (http.address() as AddressInfo).port;
const url = `ws://127.0.0.1:${port}`;
const api = `http://127.0.0.1:${port}/api`;

/** ms from READY to the N-th dispatch in our client's dispatch event. */
async function runOurs(encoding: 'json' | 'etf'): Promise<number> {
  const client = new GatewayConnection({ token: 't', intents: 1, url, encoding, compression: 'zlib-stream' });
  let start = 0;
  let count = 0;
  const done = new Promise<number>((resolve) => {
    client.on('dispatch', (p) => {
      if (p.t === 'READY') start = performance.now();
      else if (++count === N) resolve(performance.now() - start);
    });
  });
  await client.connect();
  const ms = await done;
  client.destroy();
  return ms;
}

async function runDiscordJs(): Promise<number> {
  const manager = new WebSocketManager({
    token: 't',
    intents: 1,
    rest: new REST({ api }).setToken('t'),
    compression: CompressionMethod.ZlibNative,
    shardCount: 1,
  });
  let start = 0;
  let count = 0;
  const done = new Promise<number>((resolve) => {
    manager.on(WebSocketShardEvents.Dispatch, (payload: { t: string }) => {
      if (payload.t === 'READY') start = performance.now();
      else if (++count === N) resolve(performance.now() - start);
    });
  });
  await manager.connect();
  const ms = await done;
  await manager.destroy();
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}
const settle = () => new Promise((r) => setTimeout(r, 300));

// Throughput: interleaved rounds after one warm-up each.
await runOurs('json');
await runDiscordJs();
await runOurs('etf');
const ours: number[] = [];
const theirs: number[] = [];
const oursEtf: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    ours.push(await runOurs('json'));
    theirs.push(await runDiscordJs());
  } else {
    theirs.push(await runDiscordJs());
    ours.push(await runOurs('json'));
  }
  oursEtf.push(await runOurs('etf'));
}
const rate = (ms: number) => (N * 1000) / ms;

// Memory: SHARDS idle shards (Hello + READY) per client. Each client first connects and destroys a few shards, so
// what is measured is the cost of a shard, not the first use of code paths the throughput runs did not take (the
// shard manager, its queue) nor garbage those runs left in the shared server.
sendStream = false;
/** `shards` idle shards of ours, connected (Hello + READY each). */
async function connectOurs(shards: number): Promise<ShardManager> {
  const manager = new ShardManager({
    token: 't',
    intents: 1,
    url,
    shardCount: shards,
    maxConcurrency: shards,
    compression: 'zlib-stream',
  });
  await manager.connect();
  return manager;
}
/** `shards` idle shards of @discordjs/ws, resolved once every one is READY. */
async function connectDiscordJs(shards: number): Promise<WebSocketManager> {
  const manager = new WebSocketManager({
    token: 't',
    intents: 1,
    rest: new REST({ api }).setToken('t'),
    compression: CompressionMethod.ZlibNative,
    shardCount: shards,
  });
  let ready = 0;
  const allReady = new Promise<void>((resolve) =>
    manager.on(WebSocketShardEvents.Ready, () => {
      if (++ready === shards) resolve();
    }),
  );
  await manager.connect();
  await allReady;
  return manager;
}
await (await connectOurs(2)).destroy();
await (await connectDiscordJs(2)).destroy();
await settle();
let before = memory();
const manager = await connectOurs(SHARDS);
await settle();
const oursPerShard = (memory() - before) / SHARDS;
await manager.destroy();
await settle();
before = memory();
const djs = await connectDiscordJs(SHARDS);
await settle();
const theirsPerShard = (memory() - before) / SHARDS;
await djs.destroy();

report(
  `gateway-client: ${N} MESSAGE_CREATE dispatches per run over zlib-stream (json ${(recordings.json.bytes / 1e6).toFixed(1)} MB, etf ${(recordings.etf.bytes / 1e6).toFixed(1)} MB compressed), median of ${ROUNDS} interleaved rounds; memory with ${SHARDS} idle shards`,
  [
    comparison(
      'gateway-client.dispatch-json-zlib',
      'dispatches/s',
      rate(median(ours)),
      rate(median(theirs)),
      '@discordjs/ws (ZlibNative)',
    ),
    comparison(
      'gateway-client.dispatch-etf-vs-json',
      'dispatches/s',
      rate(median(oursEtf)),
      rate(median(theirs)),
      '@discordjs/ws json (it has no etf)',
    ),
    comparison('gateway-client.memory-per-shard', 'bytes', oursPerShard, theirsPerShard, '@discordjs/ws', true),
  ],
  [
    '@discordjs/ws supports only the json encoding (its Encoding enum has JSON alone), so etf is ours alone vs its json.',
    '@discordjs/ws zlib-stream: CompressionMethod.ZlibNative (node:zlib stream); zlib-sync is not installed.',
    'memory = heapUsed + external + arrayBuffers after gc, per connected idle shard.',
  ],
);

for (const c of wss.clients) c.terminate();
wss.close();
http.close();
process.exit(0);
