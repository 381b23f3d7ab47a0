// The receiving side of bench/webrtc.ts, in its own process so that its CPU is not counted: a werift WebRTC peer and
// a raw native UDP member joined to a voice server, or a bare werift peer for the library comparison. Commands and
// answers are JSON lines on stdin/stdout.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { RTCPeerConnection } from 'werift';
import { WebSocket } from 'ws';
import { buildIpDiscoveryRequest } from '../../src/udp/ipDiscovery.js';

const out = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
let webReceived = 0;
let udpReceived = 0;

function newPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    bundlePolicy: 'max-bundle',
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
}

async function offer(pc: RTCPeerConnection, sendAudio: boolean, slots: number): Promise<string> {
  if (sendAudio) pc.addTransceiver('audio', { direction: 'sendonly' });
  for (let i = 0; i < slots; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (event) => event.track.onReceiveRtp.subscribe(() => webReceived++);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    else pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
  });
  return pc.localDescription!.sdp;
}

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve()));
}

async function gateway(port: number, identify: Record<string, unknown>) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?v=8`);
  const inbox: { op: number; d: Record<string, unknown> }[] = [];
  ws.on('message', (m) => inbox.push(JSON.parse(String(m))));
  await once(ws, 'open');
  const next = async (op: number) => {
    for (;;) {
      const found = inbox.find((m) => m.op === op);
      if (found) return found.d;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  ws.send(JSON.stringify({ op: 0, d: identify }));
  return { ws, next, ssrc: (await next(2)).ssrc as number };
}

/** A native member that only counts datagrams (it never decrypts: its cost is not the server's). */
async function udpMember(port: number, udpPort: number, identify: Record<string, unknown>) {
  const { ws, next, ssrc } = await gateway(port, identify);
  const udp = createSocket('udp4');
  udp.on('message', () => udpReceived++);
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  udp.send(buildIpDiscoveryRequest(ssrc), udpPort, '127.0.0.1');
  await once(udp, 'message');
  ws.send(
    JSON.stringify({
      op: 1,
      d: { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode: 'aead_aes256_gcm_rtpsize' } },
    }),
  );
  await next(4);
  return ssrc;
}

async function webMember(port: number, identify: Record<string, unknown>) {
  const { ws, next, ssrc } = await gateway(port, identify);
  const pc = newPeer();
  const sdp = await offer(pc, true, 1);
  ws.send(JSON.stringify({ op: 1, d: { protocol: 'webrtc', sdp, data: sdp } }));
  const answer = (await next(4)).sdp as string;
  const up = connected(pc);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await up;
  return ssrc;
}

let bare: RTCPeerConnection | null = null;
createInterface({ input: process.stdin }).on('line', async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === 'room') {
    const udp = await udpMember(cmd.port, cmd.udpPort, cmd.native);
    const web = await webMember(cmd.port, cmd.web);
    out({ udp, web });
  } else if (cmd.cmd === 'offer') {
    bare = newPeer();
    out({ offer: await offer(bare, false, 1) });
  } else if (cmd.cmd === 'answer') {
    const up = connected(bare!);
    await bare!.setRemoteDescription({ type: 'answer', sdp: cmd.sdp });
    await up;
    out({ connected: true });
  } else if (cmd.cmd === 'count') {
    out({ web: webReceived, udp: udpReceived });
  }
});
