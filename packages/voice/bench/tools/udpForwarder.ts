// The forwarding side of bench/forward.ts's real-UDP lines, in its own process so that its CPU is all SFU: a voice
// server (batched sends, or the plain path when started with the `plain` argument and the native module hidden), or a
// bare send loop. Commands and answers are JSON lines on stdin/stdout.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createVoiceServer } from '../../src/server/VoiceServer.js';

const out = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const batched = process.argv[2] !== 'plain';
const server = await createVoiceServer({ heartbeatInterval: 60_000, udpBatch: batched, udpBufferSize: 4 << 20 });
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** One datagram per listener per round with plain `socket.send`, no crypto, no receive: the floor of the old path. */
async function bareLoop(ports: number[], ms: number, size: number): Promise<{ sent: number; cpuUs: number }> {
  const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const packet = Buffer.alloc(size, 0x5c);
  const start = cpuNow();
  const deadline = performance.now() + ms;
  let sent = 0;
  while (performance.now() < deadline) {
    for (let round = 0; round < 4; round++) {
      for (const port of ports) socket.send(packet, port, '127.0.0.1');
      sent += ports.length;
    }
    // Let libuv run the sends (they are deferred a tick) and the socket drain.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  const cpuUs = cpuNow() - start;
  socket.close();
  return { sent, cpuUs };
}

const { port, udpPort } = server.address();
out({ type: 'ready', port, udpPort });
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { type: string; users?: string[]; ports?: number[]; ms?: number; size?: number };
  if (command.type === 'allocate') {
    const tokens = command.users!.map(
      (userId) => server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: userId }).token,
    );
    out({ type: 'tokens', tokens });
  } else if (command.type === 'mark') {
    const stats = server.stats;
    const { user, system } = process.cpuUsage();
    out({ type: 'mark', cpuUs: user + system, systemUs: system, forwarded: stats.forwarded, received: stats.received });
  } else if (command.type === 'bare') {
    out({ type: 'bare', ...(await bareLoop(command.ports!, command.ms!, command.size!)) });
  } else if (command.type === 'exit') break;
}
await server.close();
process.exit(0);
