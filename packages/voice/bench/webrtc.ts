// Added cost of a WebRTC (browser) member: CPU of this process per packet the SFU delivers to a WebRTC peer (slot
// mapping + DTLS-SRTP through libdatachannel) against per packet delivered to a native UDP member (AES-GCM seal +
// sendto) in the same run; and the two WebRTC stacks compared (node-datachannel, chosen, vs werift) sending the same
// Opus-sized RTP to one peer. The receivers live in a child process (bench/tools/webrtcReceivers.ts): their CPU is
// not counted.
// Run: node --expose-gc --import tsx packages/voice/bench/webrtc.ts [--quick]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Comparison, comparison, report } from '@concord/bench-kit';
import { PeerConnection } from 'node-datachannel';
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { buildRtpHeader, OPUS_PAYLOAD_TYPE } from '../src/rtp/RtpHeader.js';
import { roomKey } from '../src/server/Room.js';
import type { Sfu, SfuMember } from '../src/server/Sfu.js';
import { createVoiceServer } from '../src/server/VoiceServer.js';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 1.5 : 4;
/** Packets per second sent to one receiver: 100 × a 20 ms Opus stream, well under what loopback drops. */
const RATE = 2_000;
const OPUS_FRAME = Buffer.alloc(160, 0x5c);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./tools/webrtcReceivers.ts', import.meta.url))],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const replies: ((value: Record<string, unknown>) => void)[] = [];
createInterface({ input: child.stdout! }).on('line', (line) => replies.shift()?.(JSON.parse(line)));
function ask(command: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    replies.push(resolve);
    child.stdin!.write(`${JSON.stringify(command)}\n`);
  });
}

/** CPU-µs of this process per call of `send`, paced at RATE per second for SECONDS, minus an idle run's CPU. */
let seq = 0;
async function cpuPerPacket(send: (seq: number) => void): Promise<number> {
  const run = async (active: boolean) => {
    const start = process.cpuUsage();
    const end = performance.now() + SECONDS * 1000;
    // Sequence numbers go on across runs: a receiver's SRTP replay window drops repeated ones.
    const first = seq;
    while (performance.now() < end) {
      if (active) for (let i = 0; i < RATE / 100; i++) send(seq++);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const used = process.cpuUsage(start);
    return { cpu: used.user + used.system, packets: seq - first };
  };
  const idle = await run(false);
  const busy = await run(true);
  return (busy.cpu - idle.cpu) / busy.packets;
}

const rows: Comparison[] = [];
const notes: string[] = [];

// 1. In a real voice server: Sfu.deliver to a WebRTC member vs to a native UDP member of the same room.
{
  const server = await createVoiceServer({ heartbeatInterval: 60_000 });
  const { port, udpPort } = server.address();
  const identify = (userId: string) => {
    const { token } = server.allocate({ guildId: 'g', channelId: 'c', userId, sessionId: userId });
    return { server_id: 'g', user_id: userId, session_id: userId, token };
  };
  const joined = await ask({ cmd: 'room', port, udpPort, native: identify('native'), web: identify('web') });
  const sfu = (server as unknown as { sfu: Sfu }).sfu;
  const members = [...sfu.members(roomKey('g', 'c'))];
  const native = members.find((m) => m.ssrc === joined.udp) as SfuMember;
  const web = members.find((m) => m.ssrc === joined.web) as SfuMember;
  // Each receives the other's stream (a room member's SSRC: the WebRTC leg maps it to one of its slots).
  const deliver = (to: SfuMember, from: SfuMember) => (seq: number) =>
    sfu.deliver(
      to,
      buildRtpHeader({ sequence: seq & 0xffff, timestamp: seq * 960, ssrc: from.ssrc, payloadType: OPUS_PAYLOAD_TYPE }),
      OPUS_FRAME,
    );
  await cpuPerPacket(deliver(web, native)); // warm-up: slot binding, JIT
  const warm = await ask({ cmd: 'count' });
  const udpCost = await cpuPerPacket(deliver(native, web));
  const webCost = await cpuPerPacket(deliver(web, native));
  const got = await ask({ cmd: 'count' });
  rows.push(comparison('voice.webrtc.peer.cost', 'cpu-µs/packet', webCost, udpCost, 'native-udp-member', true));
  notes.push(
    `peer.cost: ${webCost.toFixed(1)} µs per packet to a WebRTC peer vs ${udpCost.toFixed(1)} µs to a native member ` +
      `(added ${(webCost - udpCost).toFixed(1)} µs); received ${Number(got.web) - Number(warm.web)} / ${Number(got.udp) - Number(warm.udp)} ` +
      'packets (web / udp) in the child',
  );
  await server.close();
}

// 2. The two WebRTC stacks: the same RTP sent on one audio track to a werift peer in the child process.
async function libraryCost(library: 'node-datachannel' | 'werift'): Promise<number> {
  const { offer } = (await ask({ cmd: 'offer' })) as { offer: string };
  const ssrc = 0x01234567;
  let send: (packet: Buffer) => void;
  let close: () => void;
  if (library === 'node-datachannel') {
    const pc = new PeerConnection('bench', { iceServers: [], bindAddress: '127.0.0.1' });
    let track: { sendMessageBinary(b: Buffer): boolean } | null = null;
    pc.onTrack((t) => {
      track = t;
    });
    const gathered = new Promise<void>((resolve) => pc.onGatheringStateChange((s) => s === 'complete' && resolve()));
    pc.setRemoteDescription(offer, 'offer');
    await gathered;
    const answer = pc.localDescription()!.sdp.replace(/a=mid:0\r\n/, `a=mid:0\r\na=ssrc:${ssrc} cname:bench\r\n`);
    await ask({ cmd: 'answer', sdp: answer });
    send = (packet) => track!.sendMessageBinary(packet);
    close = () => pc.close();
  } else {
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      iceLite: true,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    const track = new MediaStreamTrack({ kind: 'audio' });
    const transceiver = pc.getTransceivers()[0]!;
    transceiver.setDirection('sendonly');
    transceiver.sender.replaceTrack(track);
    await pc.setLocalDescription(await pc.createAnswer());
    await ask({ cmd: 'answer', sdp: pc.localDescription!.sdp });
    send = (packet) => track.writeRtp(packet);
    close = () => void pc.close();
  }
  const pt = Number(/a=rtpmap:(\d+) opus/i.exec(offer)?.[1] ?? 111);
  const cost = await cpuPerPacket((seq) =>
    send(
      Buffer.concat([
        buildRtpHeader({ sequence: seq & 0xffff, timestamp: seq * 960, ssrc, payloadType: pt }),
        OPUS_FRAME,
      ]),
    ),
  );
  close();
  return cost;
}

{
  const before = Number((await ask({ cmd: 'count' })).web);
  const ndc = await libraryCost('node-datachannel');
  const afterNdc = Number((await ask({ cmd: 'count' })).web);
  const werift = await libraryCost('werift');
  const afterWerift = Number((await ask({ cmd: 'count' })).web);
  rows.push(comparison('voice.webrtc.library.send', 'cpu-µs/packet', ndc, werift, 'werift-0.25', true));
  notes.push(
    `library.send: node-datachannel ${ndc.toFixed(1)} µs vs werift ${werift.toFixed(1)} µs per RTP packet sent on a DTLS-SRTP ` +
      `track (received by the peer: ${afterNdc - before} / ${afterWerift - afterNdc})`,
  );
}

notes.push(
  `${OPUS_FRAME.length}-byte Opus payload, ${RATE} packets/s for ${SECONDS} s per case; CPU of this process (all threads) minus an idle run`,
);
notes.push('ratio > 1 = ours costs less; peer.cost < 1 is the price of DTLS-SRTP + slot mapping over a native member');
report('@concord/voice WebRTC members (loopback, this process only)', rows, notes);
child.kill();
process.exit(0);
