import { randomBytes } from 'node:crypto';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import type { Member } from '../server/Member.js';
import { Refusal } from '../server/payloads.js';
import type { Sfu, SfuMember } from '../server/Sfu.js';
import { VideoRouter } from '../video/VideoRouter.js';
import { type OfferPlan, planOffer } from './OfferPlan.js';
import { parseSdpOffer, SdpError } from './SdpOffer.js';
import { WebRtcLeg } from './WebRtcLeg.js';

/** What the voice gateway needs to accept browsers: the media plane and the address the ICE agent binds. */
export interface WebRtcOptions {
  sfu: () => Sfu;
  /** The address the ICE agent binds and advertises (read when a browser connects: known once the server listens). */
  bindAddress: () => string;
  /** Negotiation deadline (ms, default 5000). */
  timeout?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a Select Protocol asks for WebRTC (a browser). */
export function isWebRtcSelect(d: unknown): boolean {
  return isObject(d) && d.protocol === 'webrtc';
}

/**
 * The offer of a WebRTC Select Protocol: `sdp`, else `data` (Discord's web client sends it in both), parsed and
 * planned. Too large or malformed → 4002; an offer the server cannot answer (no Opus, no DTLS fingerprint...) → 4016.
 */
export function parseWebRtcSelect(d: unknown): OfferPlan | Refusal {
  if (!isObject(d)) return new Refusal(VoiceCloseCode.BadRequest, 'bad select protocol');
  const sdp = typeof d.sdp === 'string' ? d.sdp : d.data;
  if (typeof sdp !== 'string') return new Refusal(VoiceCloseCode.DecodeFailure, 'missing SDP offer');
  try {
    return planOffer(parseSdpOffer(sdp));
  } catch (error) {
    if (!(error instanceof SdpError)) throw error;
    const code = error.code === 'SDP_UNSUPPORTED' ? VoiceCloseCode.UnknownEncryptionMode : VoiceCloseCode.DecodeFailure;
    return new Refusal(code, `SDP: ${error.message}`.slice(0, 120));
  }
}

function userOfSsrc(sfu: Sfu, room: string, ssrc: number): string | null {
  for (const m of sfu.members(room)) {
    if (m.ssrc === ssrc || m.video?.bySsrc.has(ssrc) || m.video?.rtxSsrcs.has(ssrc)) return m.userId;
  }
  return null;
}

/**
 * Select Protocol with `protocol: 'webrtc'`: negotiates the member's peer connection and answers with Session
 * Description carrying the SDP answer (docs/protocol.md, "Browsers (WebRTC)"). The leg replaces any earlier one and
 * closes with the member. Resolves to a Refusal to close the connection with, or null.
 */
export async function selectWebRtc(member: Member, d: unknown, options: WebRtcOptions): Promise<Refusal | null> {
  const plan = parseWebRtcSelect(d);
  if (plan instanceof Refusal) return plan;
  // One negotiation at a time per member: each holds a native peer connection (a UDP port) until it ends.
  if (negotiating.has(member)) return new Refusal(VoiceCloseCode.BadRequest, 'WebRTC negotiation in progress');
  negotiating.add(member);
  try {
    return await negotiate(member, plan, options);
  } finally {
    negotiating.delete(member);
  }
}

const negotiating = new WeakSet<Member>();

async function negotiate(member: Member, plan: OfferPlan, options: WebRtcOptions): Promise<Refusal | null> {
  const sfu = options.sfu();
  const media: SfuMember = member.media;
  const previous = media.leg;
  if (previous instanceof WebRtcLeg) previous.close();
  media.leg = null;
  let opened: Awaited<ReturnType<typeof WebRtcLeg.open>>;
  try {
    opened = await WebRtcLeg.open(
      media,
      {
        receive: (sender, packet) => sfu.receive(sender, packet),
        receiveRtcp: (sender, packet) => sfu.receiveRtcp(sender, packet),
        userOfSsrc: (ssrc) => userOfSsrc(sfu, media.room, ssrc),
        inRoom: (userId) => [...sfu.members(media.room)].some((m) => m.userId === userId),
        bound: (userId, audioSsrc, videoSsrc) =>
          member.send(VoiceOpcode.Video, {
            user_id: userId,
            audio_ssrc: audioSsrc,
            video_ssrc: videoSsrc,
            rtx_ssrc: 0,
            streams: [],
          }),
      },
      plan,
      { bindAddress: options.bindAddress(), ...(options.timeout ? { timeout: options.timeout } : {}) },
    );
  } catch {
    return new Refusal(VoiceCloseCode.UnknownEncryptionMode, 'WebRTC negotiation failed');
  }
  const { leg, answer } = opened;
  if (member.closed) {
    leg.close();
    return null;
  }
  media.leg = leg;
  // Room streams reach the leg under Discord's default payload types (the leg renumbers to the browser's), and the
  // browser decodes VP8 only.
  if (plan.vp8PayloadType !== null) VideoRouter.ensure(media).codec = 'VP8';
  member.once('close', () => {
    leg.close();
    if (media.leg === leg) media.leg = null;
  });
  member.send(VoiceOpcode.SessionDescription, {
    mode: 'dtls_srtp',
    audio_codec: 'opus',
    video_codec: 'VP8',
    media_session_id: randomBytes(16).toString('hex'),
    dave_protocol_version: 0,
    sdp: answer,
  });
  return null;
}
