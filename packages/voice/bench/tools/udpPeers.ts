// The clients of bench/forward.ts's real-UDP lines, in their own process so that their CPU is not the forwarder's: one
// speaker sending paced Opus-sized packets and N listeners counting what arrives. JSON lines on stdin/stdout.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import type { EncryptionMode } from '../../src/crypto/modes.js';
import { PacketCipher } from '../../src/crypto/PacketCipher.js';
import { buildRtpHeader } from '../../src/rtp/RtpHeader.js';
import { buildIpDiscoveryRequest } from '../../src/udp/ipDiscovery.js';

const out = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const OPUS_FRAME = Buffer.alloc(160, 0x5c);
const EXTENSION = { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00]) };
let received = 0;

interface Joined {
  ws: WebSocket;
  udp: Socket;
  ssrc: number;
  key: Uint8Array;
}

async function join(
  port: number,
  udpPort: number,
  userId: string,
  token: string,
  mode: EncryptionMode,
): Promise<Joined> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?v=8`);
  const inbox: { op: number; d: Record<string, unknown> }[] = [];
  ws.on('message', (m) => inbox.push(JSON.parse(String(m))));
  await once(ws, 'open');
  const next = async (op: number) => {
    for (;;) {
      const found = inbox.find((m) => m.op === op);
      if (found) return found.d;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  ws.send(JSON.stringify({ op: 0, d: { server_id: 'g', user_id: userId, session_id: userId, token } }));
  const ssrc = (await next(2)).ssrc as number;
  const udp = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  udp.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
  await once(udp, 'message');
  udp.on('message', () => received++);
  ws.send(JSON.stringify({ op: 1, d: { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode } } }));
  const key = Uint8Array.from((await next(4)).secret_key as number[]);
  return { ws, udp, ssrc, key };
}

let members: Joined[] = [];
let pacer: NodeJS.Timeout | null = null;
let udpPort = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as {
    type: string;
    port: number;
    udpPort: number;
    mode: EncryptionMode;
    tokens: string[];
    rate: number;
  };
  if (command.type === 'join') {
    udpPort = command.udpPort;
    members = [];
    for (const [i, token] of command.tokens.entries()) {
      members.push(await join(command.port, command.udpPort, i === 0 ? 'speaker' : `l${i}`, token, command.mode));
    }
    out({ type: 'joined', ports: members.slice(1).map((m) => m.udp.address().port) });
  } else if (command.type === 'send') {
    // Paced every 5 ms (a burst of rate/200 packets): a steady offered load, the same for every variant measured.
    const speaker = members[0]!;
    const tx = new PacketCipher(command.mode, speaker.key);
    let seq = 0;
    const burst = Math.max(1, Math.round(command.rate / 200));
    pacer = setInterval(() => {
      for (let i = 0; i < burst; i++) {
        const header = buildRtpHeader({
          sequence: seq & 0xffff,
          timestamp: seq * 960,
          ssrc: speaker.ssrc,
          extension: EXTENSION,
        });
        seq++;
        speaker.udp.send(tx.seal(header, OPUS_FRAME), udpPort, '127.0.0.1');
      }
    }, 5);
    out({ type: 'sending' });
  } else if (command.type === 'count') {
    out({ type: 'count', received });
  } else if (command.type === 'stop') {
    if (pacer) clearInterval(pacer);
    out({ type: 'stopped', received });
  } else if (command.type === 'exit') break;
}
for (const m of members) {
  m.ws.close();
  m.udp.close();
}
process.exit(0);
