import { VoiceError } from '../errors.js';

/**
 * A browser's SDP offer, read with bounds on everything and reduced to what the server uses. The native WebRTC stack
 * never sees the text the client sent: it gets the offer rebuilt from these fields (`buildSanitizedOffer`), so a hostile
 * SDP can only fail here, in TypeScript, with an `SdpError`.
 */

/**
 * Largest SDP accepted, in UTF-8 bytes. A Chrome offer costs about 1.2 KiB per audio m-line and 3 KiB per video
 * m-line with every codec it supports (about 1.3 KiB with `setCodecPreferences([VP8, rtx])`): 2 + 2×16 m-lines fit.
 */
export const MAX_SDP_BYTES = 64 * 1024;
/** Most lines read (a full Chrome video m-line has about 60). */
export const MAX_SDP_LINES = 4096;
/** Longest line accepted (fingerprints and candidates are about 100–200 characters). */
export const MAX_SDP_LINE = 1024;
/** Most m-lines: own audio + own video + up to 16 receive slots of each kind, with margin. */
export const MAX_MEDIA_SECTIONS = 40;

export type SdpErrorCode = 'SDP_TOO_LARGE' | 'SDP_MALFORMED' | 'SDP_UNSUPPORTED';

/** An offer that cannot be used: too large or malformed (decode error), or asking for what the server cannot do. */
export class SdpError extends VoiceError {
  declare public readonly code: SdpErrorCode;

  public constructor(code: SdpErrorCode, message: string) {
    super(code, message);
    this.name = 'SdpError';
  }
}

export type MediaKind = 'audio' | 'video';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface OfferMedia {
  kind: MediaKind;
  mid: string;
  direction: Direction;
  /** The offer's payload type for Opus (audio) or VP8 (video); null when the m-line has neither. */
  payloadType: number | null;
  /** SSRCs the client announced for this m-line (what its RTP will carry), at most 8 kept. */
  ssrcs: number[];
  /** Simulcast layers sent on this m-line (docs/protocol.md "Browsers (WebRTC)"); null: one stream. */
  simulcast: OfferSimulcast | null;
}

/**
 * A sending m-line's simulcast: SSRC-signalled (`a=ssrc-group:SIM`, lowest resolution first, as Chrome's legacy
 * simulcast orders them) and/or RID-signalled (`a=simulcast:send` with `a=rid:<id> send`, the layers told apart by
 * the RTP stream id header extension whose `a=extmap` id is `ridExtension`).
 */
export interface OfferSimulcast {
  /** `a=ssrc-group:SIM` SSRCs in their order (empty when not given). */
  ssrcs: number[];
  /** RIDs of `a=simulcast:send` that have an `a=rid:<id> send` line, in their order (empty when not given). */
  rids: string[];
  /** `a=extmap` ids of the RTP stream id / repaired stream id extensions (null when not offered). */
  ridExtension: number | null;
  repairedRidExtension: number | null;
}

/** Most simulcast layers read from an offer (Identify allows at most 4 streams). */
export const MAX_SIMULCAST_LAYERS = 4;
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const REPAIRED_RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';
const RID_TOKEN = /^[A-Za-z0-9_-]{1,16}$/;

export interface ParsedOffer {
  iceUfrag: string;
  icePwd: string;
  fingerprint: { algorithm: string; value: string };
  setup: 'actpass' | 'active' | 'passive';
  media: OfferMedia[];
}

const MID = /^[A-Za-z0-9_-]{1,32}$/;
// RFC 8839: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4–256 characters, pwd 22–256.
const UFRAG = /^[A-Za-z0-9+/]{4,256}$/;
const PWD = /^[A-Za-z0-9+/]{22,256}$/;
const FINGERPRINT_BYTES: Readonly<Record<string, number>> = {
  'sha-1': 20,
  'sha-256': 32,
  'sha-384': 48,
  'sha-512': 64,
};
const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const UINT = /^[0-9]{1,10}$/;

function malformed(message: string): SdpError {
  return new SdpError('SDP_MALFORMED', message);
}

function readFingerprint(value: string): { algorithm: string; value: string } {
  const space = value.indexOf(' ');
  const algorithm = value.slice(0, space).toLowerCase();
  const hex = value.slice(space + 1).toUpperCase();
  const bytes = FINGERPRINT_BYTES[algorithm];
  if (space < 0 || bytes === undefined) throw new SdpError('SDP_UNSUPPORTED', 'unsupported fingerprint algorithm');
  if (!new RegExp(`^[0-9A-F]{2}(:[0-9A-F]{2}){${bytes - 1}}$`).test(hex)) throw malformed('bad fingerprint');
  return { algorithm, value: hex };
}

/** One value that must be the same wherever it appears (BUNDLE: one transport, so one set of credentials). */
function same<T>(previous: T | null, next: T, equal: (a: T, b: T) => boolean, what: string): T {
  if (previous !== null && !equal(previous, next))
    throw new SdpError('SDP_UNSUPPORTED', `${what} differs between m-lines`);
  return next;
}

interface MediaDraft {
  kind: MediaKind;
  formats: Set<number>;
  mid: string | null;
  direction: Direction;
  rtpmap: Map<number, string>;
  ssrcs: number[];
  simGroup: number[];
  ridLines: string[];
  simulcastSend: string[];
  ridExtension: number | null;
  repairedRidExtension: number | null;
}

/** `a=ssrc-group:SIM …` (other semantics, e.g. FID, are ignored). */
function readSsrcGroup(arg: string, draft: MediaDraft): void {
  const parts = arg.split(' ');
  if (parts[0] !== 'SIM') return;
  if (parts.length < 2 || parts.length > MAX_SIMULCAST_LAYERS + 1 || draft.simGroup.length > 0) {
    throw malformed('bad ssrc-group:SIM');
  }
  for (const part of parts.slice(1)) {
    if (!UINT.test(part) || Number(part) > 0xffffffff) throw malformed('bad ssrc-group:SIM');
    draft.simGroup.push(Number(part));
  }
}

/** `a=rid:<id> send|recv [restrictions]`: the send ones are kept (at most MAX_SIMULCAST_LAYERS). */
function readRidLine(arg: string, draft: MediaDraft): void {
  const match = /^([^ ]{1,64}) (send|recv)(?: .*)?$/.exec(arg);
  if (!match || !RID_TOKEN.test(match[1]!)) throw malformed('bad rid');
  if (match[2] !== 'send') return;
  if (draft.ridLines.length >= MAX_SIMULCAST_LAYERS) throw new SdpError('SDP_UNSUPPORTED', 'too many rids');
  if (!draft.ridLines.includes(match[1]!)) draft.ridLines.push(match[1]!);
}

/** `a=simulcast:send <alt list>[ recv …]`: the first choice of each layer, paused ones (`~`) included. */
function readSimulcast(arg: string, draft: MediaDraft): void {
  const match = /^send ([^ ]{1,256})(?: recv [^ ]{1,256})?$/.exec(arg);
  if (!match) {
    if (/^recv [^ ]{1,256}$/.test(arg)) return;
    throw malformed('bad simulcast');
  }
  const layers = match[1]!.split(';');
  if (layers.length > MAX_SIMULCAST_LAYERS) throw new SdpError('SDP_UNSUPPORTED', 'too many simulcast layers');
  draft.simulcastSend = layers.map((alternatives) => {
    const first = alternatives.split(',')[0]!.replace(/^~/, '');
    if (!RID_TOKEN.test(first)) throw malformed('bad simulcast rid');
    return first;
  });
}

/** `a=extmap:<id>[/<direction>] <uri> [attributes]`: only the RID extensions matter here. */
function readExtmap(arg: string, draft: MediaDraft): void {
  const match = /^([0-9]{1,3})(?:\/[a-z]{1,8})? ([^ ]{1,256})(?: .*)?$/.exec(arg);
  if (!match) throw malformed('bad extmap');
  const id = Number(match[1]);
  if (id < 1 || id > 255) throw malformed('bad extmap id');
  if (match[2] === RID_URI) draft.ridExtension = id;
  else if (match[2] === REPAIRED_RID_URI) draft.repairedRidExtension = id;
}

function simulcastOf(draft: MediaDraft): OfferSimulcast | null {
  const rids = draft.simulcastSend.filter((rid) => draft.ridLines.includes(rid));
  if (draft.simGroup.length < 2 && rids.length < 2) return null;
  return {
    ssrcs: draft.simGroup.length >= 2 ? draft.simGroup : [],
    rids: rids.length >= 2 ? rids : [],
    ridExtension: draft.ridExtension,
    repairedRidExtension: draft.repairedRidExtension,
  };
}

/**
 * Parses an SDP offer. Throws `SdpError` (never anything else) when it is too large, malformed, or not a bundled
 * audio/video offer with ICE credentials and a DTLS fingerprint.
 */
export function parseSdpOffer(sdp: string): ParsedOffer {
  if (typeof sdp !== 'string') throw malformed('SDP is not a string');
  if (sdp.length > MAX_SDP_BYTES || Buffer.byteLength(sdp, 'utf8') > MAX_SDP_BYTES) {
    throw new SdpError('SDP_TOO_LARGE', `SDP over ${MAX_SDP_BYTES} bytes`);
  }
  const lines = sdp.split(/\r?\n/);
  if (lines.length > MAX_SDP_LINES) throw new SdpError('SDP_TOO_LARGE', 'too many SDP lines');
  let ufrag: string | null = null;
  let pwd: string | null = null;
  let fingerprint: { algorithm: string; value: string } | null = null;
  let setup: ParsedOffer['setup'] | null = null;
  const media: MediaDraft[] = [];
  let current: MediaDraft | null = null;
  let sawVersion = false;
  for (const line of lines) {
    if (line === '') continue;
    if (line.length > MAX_SDP_LINE) throw new SdpError('SDP_TOO_LARGE', 'SDP line too long');
    if (line.length < 2 || line[1] !== '=') throw malformed('not an SDP line');
    const type = line[0];
    const value = line.slice(2);
    if (!sawVersion) {
      if (line !== 'v=0') throw malformed('SDP must start with v=0');
      sawVersion = true;
      continue;
    }
    if (type === 'm') {
      if (media.length >= MAX_MEDIA_SECTIONS) throw new SdpError('SDP_TOO_LARGE', 'too many m-lines');
      const parts = value.split(' ');
      const kind = parts[0];
      if (kind !== 'audio' && kind !== 'video') throw new SdpError('SDP_UNSUPPORTED', `m=${kind?.slice(0, 16)}`);
      if (parts.length < 4 || !UINT.test(parts[1]!) || !/^[A-Z/]{3,32}$/.test(parts[2]!)) throw malformed('bad m-line');
      const formats = new Set<number>();
      for (const format of parts.slice(3)) {
        const pt = Number(format);
        if (!UINT.test(format) || pt > 127) throw malformed('bad payload type');
        formats.add(pt);
      }
      current = {
        kind,
        formats,
        mid: null,
        direction: 'sendrecv',
        rtpmap: new Map(),
        ssrcs: [],
        simGroup: [],
        ridLines: [],
        simulcastSend: [],
        ridExtension: null,
        repairedRidExtension: null,
      };
      media.push(current);
      continue;
    }
    if (type !== 'a') continue;
    const colon = value.indexOf(':');
    const name = colon < 0 ? value : value.slice(0, colon);
    const arg = colon < 0 ? '' : value.slice(colon + 1);
    if (name === 'ice-ufrag') {
      if (!UFRAG.test(arg)) throw malformed('bad ice-ufrag');
      ufrag = same(ufrag, arg, (a, b) => a === b, 'ice-ufrag');
    } else if (name === 'ice-pwd') {
      if (!PWD.test(arg)) throw malformed('bad ice-pwd');
      pwd = same(pwd, arg, (a, b) => a === b, 'ice-pwd');
    } else if (name === 'fingerprint') {
      fingerprint = same(fingerprint, readFingerprint(arg), (a, b) => a.value === b.value, 'fingerprint');
    } else if (name === 'setup') {
      if (arg !== 'actpass' && arg !== 'active' && arg !== 'passive') throw malformed('bad setup');
      setup = same(setup, arg, (a, b) => a === b, 'setup');
    } else if (!current) {
      // Other session-level attributes (group, msid-semantic, extmap-allow-mixed...) are rebuilt, not copied.
    } else if (name === 'mid') {
      if (!MID.test(arg) || current.mid !== null) throw malformed('bad mid');
      current.mid = arg;
    } else if (DIRECTIONS.has(name) && colon < 0) {
      current.direction = name as Direction;
    } else if (name === 'rtpmap') {
      const match = /^([0-9]{1,3}) ([A-Za-z0-9_.-]{1,32})\/([0-9]{1,6})(?:\/([0-9]{1,2}))?$/.exec(arg);
      if (!match) throw malformed('bad rtpmap');
      const pt = Number(match[1]);
      if (pt > 127 || !current.formats.has(pt)) throw malformed('rtpmap for a format not on the m-line');
      current.rtpmap.set(pt, `${match[2]!.toLowerCase()}/${match[3]}${match[4] ? `/${match[4]}` : ''}`);
    } else if (name === 'ssrc') {
      const match = /^([0-9]{1,10}) /.exec(arg);
      const ssrc = match ? Number(match[1]) : -1;
      if (ssrc < 0 || ssrc > 0xffffffff) throw malformed('bad ssrc');
      if (!current.ssrcs.includes(ssrc) && current.ssrcs.length < 8) current.ssrcs.push(ssrc);
    } else if (name === 'ssrc-group') {
      readSsrcGroup(arg, current);
    } else if (name === 'rid') {
      readRidLine(arg, current);
    } else if (name === 'simulcast') {
      readSimulcast(arg, current);
    } else if (name === 'extmap') {
      readExtmap(arg, current);
    }
  }
  if (!sawVersion) throw malformed('empty SDP');
  if (media.length === 0) throw new SdpError('SDP_UNSUPPORTED', 'no m-lines');
  if (ufrag === null || pwd === null) throw new SdpError('SDP_UNSUPPORTED', 'no ICE credentials');
  if (fingerprint === null) throw new SdpError('SDP_UNSUPPORTED', 'no DTLS fingerprint');
  const mids = new Set<string>();
  const parsed: OfferMedia[] = media.map((draft) => {
    if (draft.mid === null || mids.has(draft.mid)) throw malformed('missing or repeated mid');
    mids.add(draft.mid);
    const wanted = draft.kind === 'audio' ? 'opus/48000/2' : 'vp8/90000';
    let payloadType: number | null = null;
    for (const [pt, codec] of draft.rtpmap) {
      if (codec === wanted) {
        payloadType = pt;
        break;
      }
    }
    const simulcast = draft.kind === 'video' ? simulcastOf(draft) : null;
    // The native stack must know every layer's SSRC to hand its packets over (it drops unknown SSRCs).
    const ssrcs = [...new Set([...draft.ssrcs, ...(simulcast?.ssrcs ?? [])])];
    return { kind: draft.kind, mid: draft.mid, direction: draft.direction, payloadType, ssrcs, simulcast };
  });
  return { iceUfrag: ufrag, icePwd: pwd, fingerprint, setup: setup ?? 'actpass', media: parsed };
}
