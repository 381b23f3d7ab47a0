import { type OfferMedia, type ParsedOffer, SdpError } from './SdpOffer.js';

/**
 * What each m-line of a browser's offer is for (docs/protocol.md, "Browsers (WebRTC)"): the first sending audio
 * m-line is the member's microphone, the first sending video m-line its camera; recvonly m-lines are receive slots,
 * the i-th audio one and the i-th video one forming slot i (one remote user's voice and camera). Anything else is
 * answered inactive.
 */
export interface OfferPlan {
  offer: ParsedOffer;
  ownAudio: OfferMedia | null;
  ownVideo: OfferMedia | null;
  audioSlots: OfferMedia[];
  videoSlots: OfferMedia[];
  /** Opus / VP8 payload types the browser uses (each m-line may have its own; these are the sending m-lines'). */
  opusPayloadType: number;
  vp8PayloadType: number | null;
}

/** Receive slots per kind at most (the answer gets one SSRC per slot). */
export const MAX_SLOTS = 16;

function sends(media: OfferMedia): boolean {
  return media.direction === 'sendrecv' || media.direction === 'sendonly';
}

/** Assigns roles to the offer's m-lines; throws `SdpError` when no Opus is offered or a slot lacks its codec. */
export function planOffer(offer: ParsedOffer): OfferPlan {
  let ownAudio: OfferMedia | null = null;
  let ownVideo: OfferMedia | null = null;
  const audioSlots: OfferMedia[] = [];
  const videoSlots: OfferMedia[] = [];
  for (const media of offer.media) {
    if (media.payloadType === null) {
      throw new SdpError('SDP_UNSUPPORTED', `m-line ${media.mid} offers no ${media.kind === 'audio' ? 'Opus' : 'VP8'}`);
    }
    if (media.kind === 'audio') {
      if (sends(media) && !ownAudio) ownAudio = media;
      else if (media.direction === 'recvonly' && audioSlots.length < MAX_SLOTS) audioSlots.push(media);
    } else if (sends(media) && !ownVideo) ownVideo = media;
    else if (media.direction === 'recvonly' && videoSlots.length < MAX_SLOTS) videoSlots.push(media);
  }
  const opus = ownAudio ?? audioSlots[0];
  if (!opus) throw new SdpError('SDP_UNSUPPORTED', 'no Opus audio m-line');
  const vp8 = ownVideo ?? videoSlots[0] ?? null;
  return {
    offer,
    ownAudio,
    ownVideo,
    audioSlots,
    videoSlots,
    opusPayloadType: opus.payloadType!,
    vp8PayloadType: vp8?.payloadType ?? null,
  };
}

/**
 * The offer the native stack is given: rebuilt from the parsed fields only (one codec per m-line, no header
 * extensions, no RTX, no candidates — the server learns the browser's address from its connectivity checks), so that
 * nothing the client wrote reaches a native parser. `slotSsrcs` (mid → SSRC) are the receive slots' SSRCs.
 */
export function buildSanitizedOffer(plan: OfferPlan, slotSsrcs: ReadonlyMap<string, number> = new Map()): string {
  const { offer } = plan;
  const slots = new Set([...plan.audioSlots, ...plan.videoSlots]);
  const lines = [
    'v=0',
    'o=- 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${offer.media.map((m) => m.mid).join(' ')}`,
    'a=msid-semantic:WMS *',
  ];
  for (const media of offer.media) {
    const pt = media.payloadType!;
    let direction = 'inactive';
    if (media === plan.ownAudio || media === plan.ownVideo) direction = 'sendonly';
    else if (slots.has(media)) direction = 'recvonly';
    lines.push(
      `m=${media.kind} 9 UDP/TLS/RTP/SAVPF ${pt}`,
      'c=IN IP4 0.0.0.0',
      `a=mid:${media.mid}`,
      `a=${direction}`,
      `a=ice-ufrag:${offer.iceUfrag}`,
      `a=ice-pwd:${offer.icePwd}`,
      `a=fingerprint:${offer.fingerprint.algorithm} ${offer.fingerprint.value}`,
      `a=setup:${offer.setup}`,
      'a=rtcp-mux',
    );
    if (media.kind === 'audio') {
      lines.push(`a=rtpmap:${pt} opus/48000/2`, `a=fmtp:${pt} minptime=10;useinbandfec=1`);
    } else {
      // Feedback the server acts on (docs/protocol.md "Browsers (WebRTC)"): NACK answered from the retransmission
      // cache, PLI/FIR turned into keyframe requests, REMB (goog-remb) as the browser's receive estimate.
      lines.push(
        `a=rtpmap:${pt} VP8/90000`,
        `a=rtcp-fb:${pt} nack`,
        `a=rtcp-fb:${pt} nack pli`,
        `a=rtcp-fb:${pt} ccm fir`,
        `a=rtcp-fb:${pt} goog-remb`,
      );
    }
    // The native stack routes incoming RTP to an m-line by the SSRCs announced for it.
    if (direction === 'sendonly') for (const ssrc of media.ssrcs) lines.push(`a=ssrc:${ssrc} cname:peer`);
    // It also routes RTCP by SSRC: a slot's own SSRC (what the browser's NACK/PLI/REMB name) must map to its track.
    const slot = slotSsrcs.get(media.mid);
    if (slot !== undefined && direction === 'recvonly') lines.push(`a=ssrc:${slot} cname:concord`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
