// A browser sending simulcast through the WebRTC leg (docs/protocol.md "Browsers (WebRTC)"): a werift peer stands in
// for the browser. Its offer is edited the way a page's would be (three layers declared by RID with the RTP stream id
// extension, or by an `a=ssrc-group:SIM`), and the layers are crafted RTP on the declared SSRCs through werift's
// DTLS-SRTP transport. Two native receivers with different REMB caps get different layers.
import { VoiceOpcode } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpHeader } from 'werift';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';
import { WebRtcTestPeer } from './webrtcPeer.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

const STREAMS = [
  { type: 'video', rid: '25', quality: 25 },
  { type: 'video', rid: '50', quality: 50 },
  { type: 'video', rid: '100', quality: 100 },
];
/** The browser's layer SSRCs (lowest first) and RTP stream id extension id, as the edited offer declares them. */
const BROWSER_SSRCS = [111_111, 222_222, 333_333];
const RID_EXT = 9;
/** Bytes per frame per layer: about 60, 140 and 240 kbit/s at 25 fps, one packet each. */
const SIZES = [300, 700, 1200];

/** Adds simulcast to the camera's m-line (the second one) of an offer: by RID + SSRCs, or by an SSRC SIM group. */
function withSimulcast(sdp: string, mode: 'rid' | 'sim'): string {
  const sections = sdp.split(/\r\n(?=m=)/);
  const camera = sections[2]!.split('\r\n').filter((l) => !l.startsWith('a=ssrc') && l !== '');
  const ssrcLines = BROWSER_SSRCS.map((ssrc) => `a=ssrc:${ssrc} cname:page`);
  const extra =
    mode === 'rid'
      ? [
          `a=extmap:${RID_EXT} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`,
          ...STREAMS.map((s) => `a=rid:${s.rid} send`),
          `a=simulcast:send ${STREAMS.map((s) => s.rid).join(';')}`,
          ...ssrcLines,
        ]
      : [`a=ssrc-group:SIM ${BROWSER_SSRCS.join(' ')}`, ...ssrcLines];
  sections[2] = [...camera, ...extra].join('\r\n');
  return sections.join('\r\n');
}

function keyframe(length: number, fill: number): Buffer {
  const frame = Buffer.alloc(length, fill);
  // VP8 payload descriptor (S=1, partition 0), then a keyframe header (P=0, start code).
  frame.set([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01]);
  return frame;
}

function receiver(
  channelId: string,
  userId: string,
  maxReceiveBitrate: number,
): { client: VoiceClient; layers: number[] } {
  const sessionId = `s-${userId}`;
  const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId });
  const client = new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g', video: { maxReceiveBitrate } });
  const layers: number[] = [];
  client.on('videoFrame', (frame) => layers.push(frame.data.at(-1)! - 1));
  return { client, layers };
}

async function simulcastThrough(mode: 'rid' | 'sim'): Promise<void> {
  const room = `simulcast-${mode}`;
  const wide = receiver(room, `${mode}-wide`, 8_000_000);
  const narrow = receiver(room, `${mode}-narrow`, 150_000);
  await wide.client.connect();
  await narrow.client.connect();
  const page = await WebRtcTestPeer.join(server, 'g', room, `${mode}-page`, STREAMS);
  expect(page.streams.map((s) => s.rid)).toEqual(['25', '50', '100']);
  await page.connect(1, 0, (sdp) => withSimulcast(sdp, mode));
  if (mode === 'rid') expect(page.answer).toMatch(/a=simulcast:recv 25;50;100\r\n/);
  // Camera on with every layer active (op 12, as for a native simulcast sender).
  page.socket.send(VoiceOpcode.Video, {
    audio_ssrc: page.ssrc,
    video_ssrc: page.streams[0]!.ssrc,
    rtx_ssrc: page.streams[0]!.rtx_ssrc,
    streams: page.streams.map((s) => ({
      type: 'video',
      rid: s.rid,
      ssrc: s.ssrc,
      rtx_ssrc: s.rtx_ssrc,
      active: true,
      quality: s.quality,
    })),
  });
  const vp8Pt = Number(/a=rtpmap:(\d+) VP8\/90000/i.exec(page.answer)![1]);
  const transport = page.pc.getTransceivers()[1]!.sender.dtlsTransport;
  let running = true;
  const pump = (async () => {
    for (let i = 0; running; i++) {
      for (const [l, ssrc] of BROWSER_SSRCS.entries()) {
        const header = new RtpHeader({
          payloadType: vp8Pt,
          sequenceNumber: (1000 * l + i) & 0xffff,
          timestamp: i * 3600,
          ssrc,
          marker: true,
        });
        if (mode === 'rid') {
          header.extension = true;
          header.extensionProfile = 0xbede;
          header.extensions = [{ id: RID_EXT, payload: Buffer.from(STREAMS[l]!.rid) }];
        }
        await transport.sendRtp(keyframe(SIZES[l]!, l + 1), header);
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  const settled = (layers: number[], layer: number) => layers.length >= 8 && layers.slice(-5).every((l) => l === layer);
  await waitFor(() => settled(wide.layers, 2), 10_000, `${mode}: the top layer at the wide receiver`);
  await waitFor(() => settled(narrow.layers, 0), 10_000, `${mode}: the lowest layer at the narrow receiver`);
  running = false;
  await pump;
  wide.client.disconnect();
  narrow.client.disconnect();
  await page.close();
}

describe('WebRTC simulcast sender', () => {
  it('RID-signalled layers (RTP stream id extension) are forwarded by layer', async () => {
    await simulcastThrough('rid');
  }, 30_000);

  it('SSRC-signalled layers (a=ssrc-group:SIM, lowest first) are forwarded by layer', async () => {
    await simulcastThrough('sim');
  }, 30_000);
});
