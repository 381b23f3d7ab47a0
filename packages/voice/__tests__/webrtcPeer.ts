import { VoiceOpcode } from '@concord/protocol';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { createOpusCodec } from '../src/opus/opus.js';
import type { VoiceServer } from '../src/server/VoiceServer.js';
import { type GatewayMessage, RawVoiceSocket } from './helpers.js';

/**
 * A browser-like WebRTC client for tests, built on werift (pure TypeScript: an implementation independent of the
 * server's libdatachannel). It negotiates over the voice gateway exactly as docs/protocol.md "Browsers (WebRTC)" says a
 * page does: own audio + own video sendonly, then K recvonly audio and K recvonly video slots; candidates loopback only.
 */
export class WebRtcTestPeer {
  public readonly pc: RTCPeerConnection;
  public readonly socket: RawVoiceSocket;
  public readonly mic = new MediaStreamTrack({ kind: 'audio' });
  public readonly camera = new MediaStreamTrack({ kind: 'video' });
  /** Ready's video streams (when joined with `video: true`). */
  public streams: { ssrc: number; rtx_ssrc: number; rid: string; quality: number }[] = [];
  /** RTP received per slot SSRC (payloads only, in arrival order). */
  public readonly received = new Map<number, { sequence: number; payload: Buffer }[]>();
  public ssrc = 0;
  public answer = '';
  #seq = Math.floor(Math.random() * 0xffff);
  #ts = Math.floor(Math.random() * 0xffffffff);
  #opusPt = 0;
  #vp8Pt = 0;
  #videoSeq = 1000;

  private constructor(socket: RawVoiceSocket) {
    this.socket = socket;
    this.pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      iceServers: [],
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
  }

  /** Identifies on the voice gateway of `server` (token from `allocate`) and waits for Ready. */
  public static async join(
    server: VoiceServer,
    guildId: string,
    channelId: string,
    userId: string,
    video: boolean | { type: string; rid: string; quality: number }[] = false,
  ) {
    const sessionId = `s-${userId}`;
    const { token } = server.allocate({ guildId, channelId, userId, sessionId });
    const socket = await RawVoiceSocket.open(`ws://127.0.0.1:${server.address().port}/?v=8`);
    await socket.next(VoiceOpcode.Hello);
    const streams = video === true ? [{ type: 'video', rid: '100', quality: 100 }] : video;
    const camera = streams ? { video: true, streams } : {};
    socket.send(VoiceOpcode.Identify, { server_id: guildId, user_id: userId, session_id: sessionId, token, ...camera });
    const ready = await socket.next(VoiceOpcode.Ready);
    const peer = new WebRtcTestPeer(socket);
    peer.ssrc = ready.d.ssrc;
    peer.streams = ready.d.streams ?? [];
    return peer;
  }

  /** Builds the offer (K slots), sends Select Protocol, applies the answer, waits until DTLS is up. */
  public async connect(slots = 2, extraSending = 0, munge?: (sdp: string) => string): Promise<GatewayMessage> {
    const pc = this.pc;
    pc.addTransceiver(this.mic, { direction: 'sendonly' });
    pc.addTransceiver(this.camera, { direction: 'sendonly' });
    // More sending m-lines than the protocol uses: the server answers them inactive.
    for (let i = 0; i < extraSending; i++) pc.addTransceiver('audio', { direction: 'sendonly' });
    for (let i = 0; i < slots; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
    for (let i = 0; i < slots; i++) pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (event) => {
      event.track.onReceiveRtp.subscribe((rtp) => {
        let list = this.received.get(rtp.header.ssrc);
        if (!list) {
          list = [];
          this.received.set(rtp.header.ssrc, list);
        }
        list.push({ sequence: rtp.header.sequenceNumber, payload: rtp.payload });
      });
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      else pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
    });
    // `munge`: what the server is told differs from what werift applied (e.g. simulcast lines for crafted RTP).
    const sdp = munge ? munge(pc.localDescription!.sdp) : pc.localDescription!.sdp;
    this.#opusPt = Number(/a=rtpmap:(\d+) opus\/48000\/2/i.exec(sdp)![1]);
    this.#vp8Pt = Number(/a=rtpmap:(\d+) VP8\/90000/i.exec(sdp)![1]);
    this.socket.send(VoiceOpcode.SelectProtocol, {
      protocol: 'webrtc',
      data: sdp,
      sdp,
      codecs: [{ name: 'opus', type: 'audio', priority: 1000, payload_type: this.#opusPt }],
    });
    const description = await this.socket.next(VoiceOpcode.SessionDescription, 10_000);
    this.answer = description.d.sdp;
    const connected = new Promise<void>((resolve) => {
      pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve());
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: this.answer });
    await connected;
    return description;
  }

  /** The slot SSRCs of the answer, in slot order, per kind. */
  public slotSsrcs(kind: 'audio' | 'video'): number[] {
    const out: number[] = [];
    for (const section of this.answer.split(/\r?\nm=/).slice(1)) {
      if (!section.startsWith(kind) || !/a=sendonly/.test(section)) continue;
      const ssrc = /a=ssrc:(\d+) /.exec(section);
      if (ssrc) out.push(Number(ssrc[1]));
    }
    return out;
  }

  /** The slot video SSRC the server bound to `userId` (from the same op 12). */
  public videoSlotOf(userId: string): number | null {
    const slots = new Set(this.slotSsrcs('audio'));
    for (const m of this.socket.messages) {
      if (m.op === VoiceOpcode.Video && m.d?.user_id === userId && slots.has(m.d.audio_ssrc)) return m.d.video_ssrc;
    }
    return null;
  }

  /** Camera on (op 12 with Ready's first stream), as a page does before sending video. */
  public cameraOn(): void {
    const stream = this.streams[0]!;
    this.socket.send(VoiceOpcode.Video, {
      audio_ssrc: this.ssrc,
      video_ssrc: stream.ssrc,
      rtx_ssrc: stream.rtx_ssrc,
      streams: [
        { type: 'video', rid: '100', ssrc: stream.ssrc, rtx_ssrc: stream.rtx_ssrc, active: true, quality: 100 },
      ],
    });
  }

  /** Sends VP8 RTP payloads (one packet per frame, marker set) on the camera track. */
  public async sendVideo(payloads: readonly Buffer[], intervalMs = 20): Promise<void> {
    for (const [i, payload] of payloads.entries()) {
      this.#videoSeq = (this.#videoSeq + 1) & 0xffff;
      const header = new RtpHeader({
        payloadType: this.#vp8Pt,
        sequenceNumber: this.#videoSeq,
        timestamp: (i + 1) * 3000,
        marker: true,
      });
      this.camera.writeRtp(new RtpPacket(header, payload));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** The slot audio SSRC the server bound to `userId` (op 12 whose audio_ssrc is one of the answer's slots). */
  public slotOf(userId: string): number | null {
    const slots = new Set(this.slotSsrcs('audio'));
    for (const m of this.socket.messages) {
      if (m.op === VoiceOpcode.Video && m.d?.user_id === userId && slots.has(m.d.audio_ssrc)) return m.d.audio_ssrc;
    }
    return null;
  }

  /** Sends PCM frames as Opus over the peer connection, one every `intervalMs`. */
  public async sendPcm(frames: readonly Buffer[], intervalMs = 20): Promise<void> {
    const encoder = createOpusCodec();
    for (const frame of frames) {
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#ts = (this.#ts + 960) >>> 0;
      const header = new RtpHeader({ payloadType: this.#opusPt, sequenceNumber: this.#seq, timestamp: this.#ts });
      this.mic.writeRtp(new RtpPacket(header, encoder.encode(frame)));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    encoder.delete();
  }

  public async close(): Promise<void> {
    this.socket.close(1000);
    await this.pc.close();
  }
}
