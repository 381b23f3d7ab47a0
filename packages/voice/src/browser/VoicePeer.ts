// A browser's RTCPeerConnection to a voice server, laid out as the server expects it (docs/protocol.md, "Browsers
// (WebRTC)"): my sound, then my video (turning it on or off is a replaceTrack, never a new offer), then K receive slots
// for audio and K for video. The server binds a slot to a member when it starts forwarding them (voice op 12 names the
// slot's audio SSRC and the user), so no renegotiation is ever needed. The voice channel's connection sends the
// microphone and the camera and has SLOTS slots; a Go Live stream's connection sends the shared screen (and its sound)
// with no slots, or, watching, sends nothing and has one slot: the streamer's.

/** Receive slots per kind in a voice channel: how many others one client can hear and see at once. */
export const SLOTS = 8;

/** A receive slot's track, as `ontrack` gives it: the slot number is its stream id's (`a=msid:slot<i> …`). */
export interface SlotTrack {
  slot: number;
  track: MediaStreamTrack;
  /** The slot's receiver: its `getStats()` tell whether packets still come (a speaker out of range sends none). */
  receiver: RTCRtpReceiver;
}

export interface VoicePeerOptions {
  /** What the first audio m-line sends (the microphone, or a shared screen's sound); null: nothing yet. */
  audio: MediaStreamTrack | null;
  /** Receive slots per kind. */
  slots: number;
  onTrack: (slot: SlotTrack) => void;
}

/** The peer connection of one voice connection: one offer, one answer, no renegotiation. */
export class VoicePeer {
  readonly pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  readonly #video: RTCRtpTransceiver;
  /** A receive slot's audio SSRC (from the answer) → the slot. */
  readonly slotByAudioSsrc = new Map<number, number>();

  constructor({ audio, slots, onTrack }: VoicePeerOptions) {
    this.pc.addTransceiver(audio ?? 'audio', { direction: 'sendonly' });
    this.#video = this.pc.addTransceiver('video', { direction: 'sendonly' });
    for (const kind of ['audio', 'video'])
      for (let i = 0; i < slots; i++) this.pc.addTransceiver(kind, { direction: 'recvonly' });
    for (const transceiver of this.pc.getTransceivers()) narrow(transceiver);
    this.pc.addEventListener('track', (event) => {
      const slot = /^slot(\d+)$/.exec(event.streams[0]?.id ?? '');
      if (slot) onTrack({ slot: Number(slot[1]), track: event.track, receiver: event.receiver });
    });
  }

  /**
   * Our offer. Candidates are not waited for: the server ignores them and learns the browser's address from the
   * browser's own connectivity checks (peer-reflexive), so the offer goes out at once.
   */
  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.pc.localDescription?.sdp ?? '';
  }

  /** The server's answer: applied, and its slots' audio SSRCs noted for op 12's bindings. */
  async accept(sdp: string): Promise<void> {
    for (const section of sdp.split(/\r?\nm=/).slice(1)) {
      const slot = /a=msid:slot(\d+) /.exec(section);
      const ssrc = /a=ssrc:(\d+) /.exec(section);
      if (section.startsWith('audio') && slot && ssrc) this.slotByAudioSsrc.set(Number(ssrc[1]), Number(slot[1]));
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /**
   * Puts a video track on (camera or screen), or takes it off with null. The size is kept and the frame rate gives
   * instead when bandwidth is short: the others see what was captured, at its size (a screen must stay legible).
   */
  async setVideo(track: MediaStreamTrack | null): Promise<void> {
    const { sender } = this.#video;
    await sender.replaceTrack(track);
    if (!track) return;
    const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    parameters.degradationPreference = 'maintain-resolution';
    await sender.setParameters(parameters).catch(() => undefined);
  }

  close(): void {
    this.pc.close();
  }
}

/** Header extensions worth offering; the rest are stopped, so the offer stays small. */
const EXTENSIONS = /ssrc-audio-level|abs-send-time|transport-wide-cc|sdes:mid$/;

/**
 * Offers only what the server takes (Opus; VP8 without RTX) and a few header extensions: with 2 + 2×SLOTS m-lines the
 * browser's full codec list would make an offer of ~50 KB, over the voice gateway's frame limit.
 */
function narrow(transceiver: RTCRtpTransceiver): void {
  const kind = transceiver.receiver.track.kind;
  const wanted = kind === 'audio' ? /^audio\/opus$/i : /^video\/VP8$/i;
  const codecs = RTCRtpReceiver.getCapabilities(kind)?.codecs.filter((c) => wanted.test(c.mimeType)) ?? [];
  if (codecs.length > 0) transceiver.setCodecPreferences(codecs);
  // Not in TypeScript's DOM types yet (Chrome 119+): RTCRtpTransceiver.setHeaderExtensionsToNegotiate.
  const t = transceiver as RTCRtpTransceiver & {
    getHeaderExtensionsToNegotiate?: () => { uri: string; direction: string }[];
    setHeaderExtensionsToNegotiate?: (extensions: { uri: string; direction: string }[]) => void;
  };
  const extensions = t.getHeaderExtensionsToNegotiate?.();
  if (!extensions || !t.setHeaderExtensionsToNegotiate) return;
  try {
    t.setHeaderExtensionsToNegotiate(
      extensions.map((e) => ({ ...e, direction: EXTENSIONS.test(e.uri) ? e.direction : 'stopped' })),
    );
  } catch {
    // Some extensions may not be stopped; the offer is just larger.
  }
}
