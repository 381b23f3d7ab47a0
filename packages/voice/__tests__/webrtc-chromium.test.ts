// Browser feedback and browser simulcast with a real Chromium (fake camera), against the voice server's WebRTC leg
// (docs/protocol.md "Browsers (WebRTC)"): Chromium negotiates NACK and REMB from the answer and sends them about a
// receive slot (loss injected on the leg is NACKed and retransmitted), and a camera offered as SSRC-signalled simulcast
// (`a=ssrc-group:SIM`, the page-side rewrite the protocol describes) arrives as the member's Ready layers.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { readRtpFixedHeader } from '../src/rtp/RtpHeader.js';
import { roomKey } from '../src/server/Room.js';
import type { Sfu } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { WebRtcLeg } from '../src/webrtc/WebRtcLeg.js';
import { waitFor } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (install it: bash .ci/services/chromium.sh)`);
  console.warn(`[voice] skipping the Chromium WebRTC tests: ${CHROMIUM} is missing`);
}

const STREAMS = [
  { type: 'video', rid: '25', quality: 25 },
  { type: 'video', rid: '50', quality: 50 },
  { type: 'video', rid: '100', quality: 100 },
];

/**
 * Joins from the page: voice gateway Identify → Ready → one peer connection (mic + camera sendonly, one receive slot
 * of each kind, VP8 only) → Select Protocol → answer → camera on (op 12). `simulcast`: the camera m-line of the offer
 * is rewritten to three SSRCs in an `a=ssrc-group:SIM` (lowest first) before it is applied and sent.
 */
function joinFromPage(page: Page, args: { url: string; user: string; token: string; simulcast: boolean }) {
  return page.evaluate(
    async ({ url, user, token, simulcast, streams }) => {
      const ws = new WebSocket(url);
      // Gateway payloads as the page reads them (JSON from the server; the test checks what matters).
      type Payload = Record<string, unknown> & { ssrc: number; sdp: string; streams: Stream[] };
      type Stream = { ssrc: number; rtx_ssrc: number; rid: string; quality: number };
      const inbox: { op: number; d: Payload }[] = [];
      const waiters: (() => void)[] = [];
      ws.onmessage = (e) => {
        if (typeof e.data !== 'string') return;
        inbox.push(JSON.parse(e.data));
        for (const w of waiters.splice(0)) w();
      };
      const next = async (op: number) => {
        for (;;) {
          const at = inbox.findIndex((m) => m.op === op);
          if (at >= 0) return inbox.splice(at, 1)[0]!.d;
          await new Promise<void>((r) => waiters.push(r));
        }
      };
      await new Promise((r) => (ws.onopen = r));
      await next(8);
      const identify = { server_id: 'g', user_id: user, session_id: `s-${user}`, token, video: true, streams };
      ws.send(JSON.stringify({ op: 0, d: identify }));
      const ready = await next(2);
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      pc.addTransceiver(media.getAudioTracks()[0]!, { direction: 'sendonly' });
      const camera = pc.addTransceiver(media.getVideoTracks()[0]!, { direction: 'sendonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      const slot = pc.addTransceiver('video', { direction: 'recvonly' });
      const vp8 = RTCRtpReceiver.getCapabilities('video')!.codecs.filter((c) => c.mimeType === 'video/VP8');
      camera.setCodecPreferences(vp8);
      slot.setCodecPreferences(vp8);
      let sdp = (await pc.createOffer()).sdp!;
      if (simulcast) {
        const sections = sdp.split(/\r\n(?=m=)/);
        const lines = sections[2]!.split('\r\n');
        const msid = lines.find((l) => l.startsWith('a=msid:'))!.slice('a=msid:'.length);
        const ssrcs = [1, 2, 3].map(() => 1 + Math.floor(Math.random() * 0xfffffff0));
        const kept = lines.filter((l) => !l.startsWith('a=ssrc') && l !== '');
        const added = ssrcs.flatMap((s) => [`a=ssrc:${s} cname:page`, `a=ssrc:${s} msid:${msid}`]);
        sections[2] = [...kept, `a=ssrc-group:SIM ${ssrcs.join(' ')}`, ...added].join('\r\n');
        sdp = sections.join('\r\n');
      }
      await pc.setLocalDescription({ type: 'offer', sdp });
      ws.send(JSON.stringify({ op: 1, d: { protocol: 'webrtc', sdp } }));
      const description = await next(4);
      await pc.setRemoteDescription({ type: 'answer', sdp: description.sdp });
      if (simulcast) {
        // Legacy (SIM) simulcast encodes every layer at full size unless told: lowest first, as in the SIM group.
        const parameters = camera.sender.getParameters();
        parameters.encodings.forEach((e, i) => {
          e.scaleResolutionDownBy = 2 ** (parameters.encodings.length - 1 - i);
        });
        await camera.sender.setParameters(parameters);
      }
      const active = ready.streams.map((s) => ({ ...s, type: 'video', active: true }));
      const first = ready.streams[0]!;
      ws.send(
        JSON.stringify({
          op: 12,
          d: { audio_ssrc: ready.ssrc, video_ssrc: first.ssrc, rtx_ssrc: first.rtx_ssrc, streams: active },
        }),
      );
      (globalThis as { __pc?: RTCPeerConnection }).__pc = pc;
      return { answer: description.sdp as string, sent: sdp };
    },
    { ...args, streams: STREAMS },
  );
}

describe.skipIf(!available)('Chromium through the WebRTC leg', () => {
  let server: VoiceServer;
  let browser: Browser;
  /** An empty page on 127.0.0.1: getUserMedia needs a secure context (loopback http is one, about:blank is not). */
  let http: Server;

  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 60_000 });
    http = createServer((_req, res) => res.end('<!doctype html><title>voice</title>'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--allow-loopback-in-peer-connection',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    http?.close();
  });

  function legOf(channelId: string, userId: string): WebRtcLeg {
    const sfu = (server as unknown as { sfu: Sfu }).sfu;
    const member = [...sfu.members(roomKey('g', channelId))].find((m) => m.userId === userId);
    expect(member?.leg).toBeInstanceOf(WebRtcLeg);
    return member!.leg as WebRtcLeg;
  }

  function memberOf(channelId: string, userId: string) {
    const sfu = (server as unknown as { sfu: Sfu }).sfu;
    return [...sfu.members(roomKey('g', channelId))].find((m) => m.userId === userId)!;
  }

  it('Chromium NACKs lost slot packets (retransmitted) and sends REMB; its SIM simulcast camera fills the layers', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    const { token } = server.allocate({ guildId: 'g', channelId: 'chrome', userId: 'page', sessionId: 's-page' });
    const url = `ws://127.0.0.1:${server.address().port}/?v=8`;
    const { answer, sent } = await joinFromPage(page, { url, user: 'page', token, simulcast: true });
    expect(answer).toMatch(/a=rtcp-fb:\d+ goog-remb/);
    const leg = legOf('chrome', 'page');
    await waitFor(() => leg.connected, 10_000, 'DTLS up');

    // A native sender whose video reaches the page's slot, with every 7th packet lost on the way.
    const { token: t2, endpoint } = server.allocate({
      guildId: 'g',
      channelId: 'chrome',
      userId: 'native',
      sessionId: 'sn',
    });
    const native = new VoiceClient({
      endpoint,
      token: t2,
      sessionId: 'sn',
      userId: 'native',
      guildId: 'g',
      video: { layers: [{ rid: '100', quality: 100, width: 640, height: 360, maxBitrate: 500_000, maxFramerate: 30 }] },
    });
    await native.connect();
    const send = leg.sendRtp.bind(leg);
    let n = 0;
    leg.sendRtp = (header: Buffer, payload: Buffer) => {
      if (readRtpFixedHeader(header).payloadType === 103 && ++n % 7 === 0) return;
      send(header, payload);
    };
    let running = true;
    const pump = (async () => {
      for (let i = 0; running; i++) {
        const frame = Buffer.alloc(800, i & 0xff);
        frame[0] = 0x10;
        frame.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01], 3);
        native.sendVideoFrame(frame, { timestamp: i * 3000 });
        await new Promise((r) => setTimeout(r, 33));
      }
    })();
    try {
      await waitFor(() => leg.stats.feedback.nack > 0 && leg.stats.retransmitted > 0, 15_000, 'Chromium NACK answered');
      await waitFor(() => leg.stats.feedback.remb > 0, 15_000, 'Chromium REMB');
      // The page's camera: its three SIM SSRCs bound to the three Ready layers, each layer live.
      const video = memberOf('chrome', 'page').video!;
      // All three (the server's REMB lets Chromium leave its start bitrate), each SIM SSRC on its own Ready layer.
      await waitFor(() => video.layers.every((l) => l.alive(performance.now())), 20_000, 'three simulcast layers');
      // Chromium's SIM order is lowest resolution first, which is what the leg assumes when it maps SIM SSRCs to layers.
      const sim = /a=ssrc-group:SIM ([\d ]+)/.exec(sent)![1]!.split(' ').map(Number);
      const widths = await page.evaluate(async () => {
        const out: [number, number][] = [];
        const stats = await (globalThis as { __pc?: RTCPeerConnection }).__pc!.getStats();
        stats.forEach((r) => {
          if (r.type === 'outbound-rtp' && r.kind === 'video') out.push([r.ssrc, r.frameWidth ?? 0]);
        });
        return out;
      });
      const bySsrc = new Map(widths);
      expect(sim.map((ssrc) => bySsrc.get(ssrc))).toEqual([320, 640, 1280]);
      console.log(
        '[webrtc-chromium]',
        JSON.stringify({
          estimate: leg.stats.estimate,
          nacks: leg.stats.feedback.nack,
          retransmitted: leg.stats.retransmitted,
          lost: Math.floor(n / 7),
          layerBitrates: video.layers.map((l) => Math.round(l.cost())),
          unbound: leg.stats.dropped.unbound,
        }),
      );
      expect(leg.stats.dropped.unbound).toBe(0);
    } finally {
      running = false;
      await pump;
    }
    native.disconnect();
    await page.close();
  }, 60_000);
});
