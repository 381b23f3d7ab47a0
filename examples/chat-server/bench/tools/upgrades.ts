/**
 * Diagnostic (not run by `npm run bench`): what one gateway connection's accept, upgrade and Hello cost the server,
 * the assembled chat server (dist/main.js as bench/lib/startAssembled.ts starts it: Fastify's HTTP server shared with
 * the gateway) against bench/lib/naiveGateway.ts (Node's http server + `ws`). From this process, UPGRADES_WARMUP
 * upgrades that are closed once Hello arrived (the path compiled), then UPGRADES_N measured ones
 * (`GET /?v=10&encoding=json`, the request bench/lib/sessionClients.ts sends; UPGRADES_PARALLEL in flight), each held
 * open until all are done, as the assembled bench holds its sessions. Printed per server: its CPU (user + kernel, from
 * /proc) per measured upgrade, in µs.
 *
 *   node --import tsx examples/chat-server/bench/tools/upgrades.ts
 *   UPGRADES_ONLY=assembled UPGRADES_ROUNDS=3 node --import tsx examples/chat-server/bench/tools/upgrades.ts
 *
 * UPGRADES_ROUNDS repeats the measured window on the same servers (closing the held sockets between rounds);
 * UPGRADES_SERVER_ARGS adds node flags to the assembled server (`--cpu-prof`, say). Needs the example built.
 */
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../../../../packages/gateway-server/bench/lib/load/child.js';
import { processUsage } from '../lib/processUsage.js';
import { benchDatabase, startAssembled } from '../lib/startAssembled.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const N = env('UPGRADES_N', 8000);
const WARMUP = env('UPGRADES_WARMUP', 2000);
const PARALLEL = env('UPGRADES_PARALLEL', 32);
const ROUNDS = env('UPGRADES_ROUNDS', 1);
const ONLY = process.env.UPGRADES_ONLY;
/** Distinct source addresses, so that no per-address bound of the server's is what is measured. */
const ADDRESSES = 64;

/** Opens one connection, upgrades it and resolves once the first frame (Hello) is in. */
function upgrade(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.setNoDelay(true);
    let got: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!got.subarray(0, 12).toString('latin1').includes(' 101')) {
        socket.destroy();
        reject(new Error(got.subarray(0, end).toString('latin1')));
        return;
      }
      // Hello: a text frame whose length fits the 7-bit field (2-byte header).
      if (got.length < end + 4 + 2 || got.length < end + 4 + 2 + (got[end + 5]! & 127)) return;
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        'GET /?v=10&encoding=json HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
  });
}

async function many(port: number, count: number): Promise<Socket[]> {
  const out: Socket[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      out.push(await upgrade(port, `127.0.3.${10 + (i % ADDRESSES)}`));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return out;
}

function closeAll(sockets: Socket[]): Promise<void> {
  return Promise.all(
    sockets.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', resolve).destroy()))),
  ).then(() => new Promise((r) => setTimeout(r, 500)));
}

async function measure(name: string, port: number, pid: number): Promise<void> {
  await closeAll(await many(port, WARMUP));
  for (let round = 0; round < ROUNDS; round++) {
    const before = processUsage(pid);
    const held = await many(port, N);
    // Let the server finish what the last upgrades left (their writes, the close of nothing): read after a pause.
    await new Promise((r) => setTimeout(r, 300));
    const after = processUsage(pid);
    const user = (after.userUs - before.userUs) / N;
    const kernel = (after.systemUs - before.systemUs) / N;
    process.stdout.write(
      `${name}: ${(user + kernel).toFixed(1)} µs CPU per upgrade + Hello (user ${user.toFixed(1)}, kernel ${kernel.toFixed(1)}), ${N} upgrades\n`,
    );
    await closeAll(held);
  }
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

if (ONLY !== 'naive') {
  const db = benchDatabase();
  const server = await startAssembled(db.url, (process.env.UPGRADES_SERVER_ARGS ?? '').split(' ').filter(Boolean));
  try {
    await measure('assembled', Number(new URL(server.url).port), server.pid);
  } finally {
    await server.stop();
    db.remove();
  }
}
if (ONLY !== 'assembled') {
  const naive = await spawnChild(here('../lib/naiveGateway.ts'), 'naive gateway');
  try {
    const { port } = await naive.next<{ port: number }>('listening');
    await measure('naive', port, naive.proc.pid!);
  } finally {
    await naive.stop();
  }
}
