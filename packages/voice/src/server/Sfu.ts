import type { EncryptionMode } from '../crypto/modes.js';
import type { OpenedRtp, PacketCipher } from '../crypto/PacketCipher.js';
import { PacketError } from '../errors.js';
import type { EvidenceRecorder } from '../evidence/EvidenceRecorder.js';
import { buildReceiverReport, isRtcp, parseRtcp, RtcpType } from '../rtcp/Rtcp.js';
import { Audibility } from '../spatial/Audibility.js';
import type { Position, PositionalOptions, Spatialization } from '../spatial/spatialize.js';
import type { SpeechTap } from '../speech/SpeechTap.js';
import { buildIpDiscoveryResponse, isIpDiscoveryRequest } from '../udp/ipDiscovery.js';
import type { MemberVideo } from '../video/MemberVideo.js';
import { hasFeedback } from '../video/rtcpFeedback.js';
import { VideoRouter } from '../video/VideoRouter.js';
import { createVideoStats, type VideoStats } from '../video/VideoStats.js';
import type { DatagramSender } from './DatagramSender.js';
import type { MediaLeg } from './MediaLeg.js';

/** One participant of a voice channel as the media plane sees it. */
export interface SfuMember {
  readonly userId: string;
  readonly ssrc: number;
  /** Room key (guild + channel): packets go to the other members of the same room. */
  readonly room: string;
  mode: EncryptionMode | null;
  /** Set once Select Protocol completed; packets before that are dropped. */
  cipher: PacketCipher | null;
  /**
   * Where this member's UDP packets come from and where its audio goes: an address it proved, i.e. the source of its
   * IP discovery request or of its first authenticated RTP/RTCP packet (never the address claimed in Select Protocol).
   * Null until then (nothing is sent to the member); never changes once set.
   */
  remote: { address: string; port: number } | null;
  muted: boolean;
  deafened: boolean;
  /** Consecutive silence frames received; past five they are not forwarded. */
  silenceRun: number;
  /** Where the member is, in a positional room (unset: hears and is heard by no one there). */
  position?: Position | null;
  /** Receives one mixed stream (server mixer) instead of every speaker's own. */
  mixed?: boolean;
  /** When this member's last RTCP packet was accepted (ms): reports are rate-limited per member. */
  rtcpAt?: number;
  /** A transport other than Discord's UDP path (a browser's WebRTC peer): media goes to it in plaintext. */
  leg?: MediaLeg | null;
  /**
   * Cannot open DAVE (end-to-end encrypted) frames: during a call's transition down to DAVE version 0, frames a
   * DAVE member still encrypts are not sent to it (they would play as noise). See docs/protocol.md, "DAVE".
   */
  plainOnly?: boolean;
  /**
   * Video state (server-allocated layers and camera state as a sender; payload types, REMB estimate and wanted quality
   * as a receiver). Unset or null: audio only, and video from others arrives with Discord's default payload types.
   */
  video?: MemberVideo | null;
}

/** Minimum spacing of RTCP packets accepted from one member (clients report every few seconds). */
export const RTCP_MIN_INTERVAL_MS = 100;

export interface SfuStats {
  received: number;
  forwarded: number;
  discoveries: number;
  keepalives: number;
  /** RTCP report blocks relayed from a receiver to the speaker they are about. */
  reportsForwarded: number;
  dropped: {
    garbage: number;
    rtcp: number;
    unknownSsrc: number;
    wrongAddress: number;
    noSession: number;
    decrypt: number;
    replay: number;
    malformed: number;
    muted: number;
    silence: number;
    /** Packets not sent to a listener out of the speaker's range (positional rooms, team rules). */
    outOfRange: number;
    /** Packets not sent to a listener who blocked the speaker. */
    blocked: number;
    /** Packets of a whispering speaker not sent to the listeners it does not address. */
    notAddressed: number;
    /** Packets not sent to a listener whose nonce counter ran out (its session is ended so that it re-keys). */
    exhausted: number;
    /** End-to-end encrypted (DAVE) audio frames not sent to a listener that cannot open them (`plainOnly`). */
    e2ee: number;
  };
  /** The video plane's counters (forwarded, layer switches, PLIs, NACKs/RTX). */
  video: VideoStats;
}

export type UdpSend = (packet: Buffer, port: number, address: string) => void;

/** Forwarded silence frames before a pause (clients send five; more are noise on the wire). */
export const MAX_SILENCE_FRAMES = 5;

/**
 * Whether an audio payload is a DAVE frame: it ends with the 0xFAFA magic marker, preceded by the size of the
 * supplemental data (tag, nonce, unencrypted ranges, size byte and marker: at least 11 bytes, at most the payload).
 */
function isDaveFrame(payload: Uint8Array): boolean {
  const n = payload.length;
  if (n < 11 || payload[n - 1] !== 0xfa || payload[n - 2] !== 0xfa) return false;
  const size = payload[n - 3]!;
  return size >= 11 && size <= n;
}

function isSilence(payload: Uint8Array): boolean {
  return payload.length === 3 && payload[0] === 0xf8 && payload[1] === 0xff && payload[2] === 0xfe;
}

export function createSfuStats(): SfuStats {
  return {
    received: 0,
    forwarded: 0,
    discoveries: 0,
    keepalives: 0,
    reportsForwarded: 0,
    dropped: {
      garbage: 0,
      rtcp: 0,
      unknownSsrc: 0,
      wrongAddress: 0,
      noSession: 0,
      decrypt: 0,
      replay: 0,
      malformed: 0,
      muted: 0,
      silence: 0,
      outOfRange: 0,
      blocked: 0,
      notAddressed: 0,
      exhausted: 0,
      e2ee: 0,
    },
    video: createVideoStats(),
  };
}

/**
 * The media plane: SSRC routing, per-receiver re-encryption, IP discovery and keepalives. Knows nothing of sockets:
 * it is handed datagrams and a `send` function, which makes it benchable in-process.
 */
export class Sfu {
  public readonly stats: SfuStats = createSfuStats();
  private readonly bySsrc = new Map<number, SfuMember>();
  private readonly rooms = new Map<string, Set<SfuMember>>();
  private readonly byRemote = new Map<string, SfuMember>();
  /** Who hears whom: positional rooms, teams, whispers, block lists (spatial/Audibility.ts). */
  public readonly audibility = new Audibility();
  /** Keeps the last seconds of speakers in rooms that opted in, for reports (set by the server when first used). */
  public evidence: EvidenceRecorder | null = null;
  /** Speech to text for rooms that opted in (set by the server when first used; speech/SpeechTap.ts). */
  public speech: SpeechTap | null = null;
  /** Set by the Mixer: gets each frame a mixed listener of the room should hear (decrypted Opus). */
  public onMixedAudio: ((sender: SfuMember, payload: Buffer) => void) | null = null;
  /** Called when sealing for a member failed because its nonce counter ran out: it needs a new key (a new session). */
  public onCipherExhausted: ((member: SfuMember) => void) | null = null;
  /** Video forwarding (simulcast layer selection, keyframe requests, NACK/RTX); its counters are `stats.video`. */
  public readonly video: VideoRouter<SfuMember>;

  /** Sends (or, batching, queues) one datagram. */
  private readonly send: UdpSend;
  /** Set when datagrams are batched: sealed straight into its buffer, flushed once per incoming datagram. */
  private readonly batch: DatagramSender | null;
  /** Inside `handle` (which flushes at its end); elsewhere a send arms a microtask flush. */
  private handling = false;
  private flushArmed = false;
  private readonly flushNow = (): void => {
    this.flushArmed = false;
    this.batch?.flush();
  };

  /**
   * @param output a send function (one datagram per call), or a DatagramSender: then a whole fan-out is sealed into
   *   one buffer and leaves in one flush at the end of `handle` (sends from elsewhere flush in a microtask).
   */
  public constructor(output: UdpSend | DatagramSender, now: () => number = () => performance.now()) {
    if (typeof output === 'function') {
      this.send = output;
      this.batch = null;
    } else {
      const batch = output;
      this.batch = batch;
      this.send = (packet, port, address) => {
        batch.send(packet, port, address);
        this.armFlush();
      };
    }
    this.video = new VideoRouter<SfuMember>(
      {
        members: (room) => this.rooms.get(room) ?? [],
        memberBySsrc: (ssrc) => this.bySsrc.get(ssrc),
        reachable: (member) => Sfu.reachable(member),
        audible: (sender, receiver) => !this.audibility.filters(sender) || this.hearing(sender, receiver) !== null,
        deliver: (member, header, payload) => this.deliver(member, header, payload),
        // The UDP path seals into a new datagram before `deliver` returns; a leg may keep what it is given.
        sealsOnDeliver: (member) => !member.leg,
        sendRtcp: (member, packet) => this.sendRtcp(member, packet),
      },
      now,
      this.stats.video,
    );
  }

  public add(member: SfuMember): void {
    this.bySsrc.set(member.ssrc, member);
    // Its video SSRCs route to it too (they were allocated unique across the node, like audio SSRCs).
    if (member.video) for (const ssrc of member.video.ssrcs()) this.bySsrc.set(ssrc, member);
    let room = this.rooms.get(member.room);
    if (!room) {
      room = new Set();
      this.rooms.set(member.room, room);
    }
    room.add(member);
  }

  public remove(member: SfuMember): void {
    if (this.bySsrc.get(member.ssrc) === member) this.bySsrc.delete(member.ssrc);
    if (member.video)
      for (const ssrc of member.video.ssrcs()) if (this.bySsrc.get(ssrc) === member) this.bySsrc.delete(ssrc);
    this.video.remove(member);
    this.unbind(member);
    const room = this.rooms.get(member.room);
    if (!room) return;
    room.delete(member);
    if (room.size === 0) this.rooms.delete(member.room);
  }

  /** Makes a room positional (proximity chat) with these options, or plain again with null. */
  public setPositional(room: string, options: PositionalOptions | null): void {
    this.audibility.setPositional(room, options);
  }

  public positionalOptions(room: string): PositionalOptions | null {
    return this.audibility.positional(room);
  }

  /**
   * How `listener` hears `speaker` (spatial/Audibility.ts): unity in a plain room; by distance and team in a
   * positional one; only the addressed listeners of a whisper; never a speaker the listener blocked. Null = not heard.
   */
  public hearing(speaker: SfuMember, listener: SfuMember): Spatialization | null {
    const heard = this.audibility.hear(speaker, listener);
    return typeof heard === 'string' ? null : heard;
  }

  public hasMember(member: SfuMember): boolean {
    return this.bySsrc.get(member.ssrc) === member;
  }

  public hasSsrc(ssrc: number): boolean {
    return this.bySsrc.has(ssrc);
  }

  public members(room: string): ReadonlySet<SfuMember> {
    return this.rooms.get(room) ?? new Set();
  }

  /** Handles one datagram. Never throws: anything unusable is counted in `stats.dropped` and ignored. */
  public handle(msg: Buffer, address: string, port: number): void {
    this.stats.received++;
    this.handling = true;
    try {
      this.dispatch(msg, address, port);
    } catch (error) {
      // Only a bug can land here (every parse error is a PacketError); count it rather than kill the socket.
      if (error instanceof PacketError) this.stats.dropped.malformed++;
      else this.stats.dropped.garbage++;
    } finally {
      this.handling = false;
      // One flush per incoming datagram: its whole fan-out in one sendmmsg, before the next datagram is read.
      this.batch?.flush();
    }
  }

  private armFlush(): void {
    if (this.handling || this.flushArmed) return;
    this.flushArmed = true;
    queueMicrotask(this.flushNow);
  }

  private dispatch(msg: Buffer, address: string, port: number): void {
    if (msg.length === 8) {
      // Keepalive: echoed only to a known member's address, so the server cannot be used as a reflector.
      if (this.isKnownRemote(address, port)) {
        this.stats.keepalives++;
        this.send(msg, port, address);
      } else this.stats.dropped.garbage++;
      return;
    }
    if (isIpDiscoveryRequest(msg)) {
      this.discover(msg.readUInt32BE(4), address, port);
      return;
    }
    // RTP and RTCP: the sender is the SSRC's member, and only from the address it proved (or, not bound yet, from the
    // address whose packet authenticates first).
    if (msg.length < 12 || msg[0]! >> 6 !== 2) {
      this.stats.dropped.garbage++;
      return;
    }
    const rtcp = isRtcp(msg);
    const sender = this.bySsrc.get(msg.readUInt32BE(rtcp ? 4 : 8));
    if (!sender) {
      this.stats.dropped.unknownSsrc++;
      return;
    }
    const remote = sender.remote;
    if (remote !== null && (remote.address !== address || remote.port !== port)) {
      this.stats.dropped.wrongAddress++;
      return;
    }
    const cipher = sender.cipher;
    if (!cipher) {
      this.stats.dropped.noSession++;
      return;
    }
    if (rtcp) {
      this.relayReports(sender, cipher, msg, address, port);
      return;
    }
    let opened: OpenedRtp;
    try {
      opened = cipher.open(msg);
    } catch (error) {
      const code = error instanceof PacketError ? error.code : 'DECRYPT_FAILED';
      if (code === 'REPLAY') this.stats.dropped.replay++;
      else if (code === 'DECRYPT_FAILED') this.stats.dropped.decrypt++;
      else this.stats.dropped.malformed++;
      return;
    }
    // Authenticated: whoever holds the key sends from here. A member that skipped IP discovery is bound to it now.
    if (remote === null) this.bindRemote(sender, address, port);
    this.receive(sender, opened);
  }

  /**
   * One decrypted RTP packet from a member, whatever its transport (the UDP path after decryption, or a `MediaLeg`):
   * the single entry of the forwarding plane.
   */
  public receive(sender: SfuMember, opened: OpenedRtp): void {
    // Audio is the member's own SSRC; anything else may be one of its video layers (one compare on the audio path).
    if (opened.ssrc !== sender.ssrc && sender.video && this.video.receive(sender, opened)) return;
    this.forward(sender, opened);
  }

  /**
   * One decrypted RTCP compound from a member, whatever its transport: receiver reports are relayed to the speakers
   * they are about (rate-limited per member, as before video), video feedback goes to the video plane. Never throws.
   */
  public receiveRtcp(reporter: SfuMember, packet: Buffer): void {
    let packets: ReturnType<typeof parseRtcp>;
    try {
      packets = parseRtcp(packet);
    } catch {
      this.stats.dropped.rtcp++;
      return;
    }
    const now = performance.now();
    if (packets.some((p) => p.type === RtcpType.ReceiverReport && 'blocks' in p && p.blocks.length > 0)) {
      if (reporter.rtcpAt !== undefined && now - reporter.rtcpAt < RTCP_MIN_INTERVAL_MS) this.stats.dropped.rtcp++;
      else {
        reporter.rtcpAt = now;
        this.relayBlocks(reporter, packets);
      }
    }
    if (hasFeedback(packet) && !this.video.feedback(reporter, packet)) this.stats.dropped.rtcp++;
  }

  /** Sends plaintext RTCP to a member: through its leg, or sealed with its cipher to its proven address. */
  private sendRtcp(member: SfuMember, packet: Buffer): boolean {
    const leg = member.leg;
    if (leg) {
      leg.sendRtcp(packet);
      return true;
    }
    const cipher = member.cipher;
    const remote = member.remote;
    if (!cipher || !remote) return false;
    let out: Buffer;
    try {
      out = cipher.sealRtcp(packet);
    } catch (error) {
      this.sealFailed(member, error);
      return false;
    }
    this.send(out, remote.port, remote.address);
    return true;
  }

  /**
   * Sends one plaintext RTP packet to a member: through its leg, or sealed with its cipher to its proven address.
   * False when the member cannot receive (no leg, no key or no address yet) or its cipher ran out.
   */
  public deliver(member: SfuMember, header: Buffer, payload: Buffer): boolean {
    const leg = member.leg;
    if (leg) {
      leg.sendRtp(header, payload);
      return true;
    }
    const cipher = member.cipher;
    const remote = member.remote;
    if (!cipher || !remote) return false;
    const batch = this.batch;
    if (batch) {
      // Sealed in place into the batch's buffer: no datagram allocated per listener.
      const at = batch.reserve(cipher.sealedLength(header, payload));
      let end: number;
      try {
        end = cipher.sealInto(header, payload, batch.buffer, at);
      } catch (error) {
        this.sealFailed(member, error);
        return false;
      }
      batch.commit(at, end, remote.port, remote.address);
      this.armFlush();
      return true;
    }
    let out: Buffer;
    try {
      out = cipher.seal(header, payload);
    } catch (error) {
      // One listener's cipher must not stop the fan-out to the others.
      this.sealFailed(member, error);
      return false;
    }
    this.send(out, remote.port, remote.address);
    return true;
  }

  /** Whether a member can be sent media now (a leg, or a key and a proven address). */
  public static reachable(member: SfuMember): boolean {
    return member.leg ? true : member.cipher !== null && member.remote !== null;
  }

  /** Re-encrypts one decrypted packet for every other listener of the sender's room. */
  public forward(sender: SfuMember, opened: OpenedRtp): void {
    if (sender.muted) {
      this.stats.dropped.muted++;
      return;
    }
    if (isSilence(opened.payload)) {
      if (++sender.silenceRun > MAX_SILENCE_FRAMES) {
        this.stats.dropped.silence++;
        return;
      }
    } else sender.silenceRun = 0;
    const room = this.rooms.get(sender.room);
    if (!room) return;
    const filtered = this.audibility.filters(sender);
    // A sender that cannot do DAVE never sends DAVE frames: only the others' payloads are looked at.
    const e2ee = sender.plainOnly !== true && isDaveFrame(opened.payload);
    const evidence = this.evidence;
    if (evidence !== null && !e2ee && sender.silenceRun === 0 && evidence.records(sender.room))
      evidence.record(sender.room, sender.userId, opened.payload);
    if (!e2ee && this.speech?.taps(sender.room)) this.speech.hear(sender.room, sender.userId, opened.payload); // never throws
    let mixed = false;
    for (const member of room) {
      if (member === sender || member.deafened || !Sfu.reachable(member)) continue;
      if (e2ee && member.plainOnly) {
        this.stats.dropped.e2ee++;
        continue;
      }
      if (member.mixed) {
        mixed = true;
        continue;
      }
      if (filtered) {
        const heard = this.audibility.hear(sender, member);
        if (typeof heard === 'string') {
          this.stats.dropped[heard]++;
          continue;
        }
      }
      if (this.deliver(member, opened.header, opened.payload)) this.stats.forwarded++;
    }
    if (mixed) this.onMixedAudio?.(sender, opened.payload);
  }

  /**
   * Receiver reports go to the speaker each block is about, one RR per (reporter, speaker) with the reporter's SSRC as
   * sender: the speaker sees every listener's view and decides (the VoiceClient adapts to the worst). Blocks about
   * SSRCs outside the reporter's room are dropped, so reports cannot be aimed at strangers. Other RTCP is ignored.
   */
  private relayReports(reporter: SfuMember, cipher: PacketCipher, msg: Buffer, address: string, port: number): void {
    const now = performance.now();
    const video = reporter.video;
    if (video) {
      // Video feedback (NACKs after a loss) comes faster than reports: a token bucket instead of one per 100 ms.
      if (!video.takeRtcpToken(now)) {
        this.stats.dropped.rtcp++;
        return;
      }
      let plain: Buffer;
      try {
        plain = cipher.openRtcp(msg);
      } catch {
        this.stats.dropped.rtcp++;
        return;
      }
      if (reporter.remote === null) this.bindRemote(reporter, address, port);
      this.receiveRtcp(reporter, plain);
      return;
    }
    if (reporter.rtcpAt !== undefined && now - reporter.rtcpAt < RTCP_MIN_INTERVAL_MS) {
      this.stats.dropped.rtcp++;
      return;
    }
    let packets: ReturnType<typeof parseRtcp>;
    let plain: Buffer;
    try {
      plain = cipher.openRtcp(msg);
      packets = parseRtcp(plain);
    } catch {
      this.stats.dropped.rtcp++;
      return;
    }
    reporter.rtcpAt = now;
    if (reporter.remote === null) this.bindRemote(reporter, address, port);
    this.relayBlocks(reporter, packets);
    // A receiver without video state may still send feedback about others' video (PLI, NACK, REMB).
    if (hasFeedback(plain) && !this.video.feedback(reporter, plain)) this.stats.dropped.rtcp++;
  }

  /** Relays the receiver-report blocks of a parsed compound, one RR per (reporter, speaker). */
  private relayBlocks(reporter: SfuMember, packets: ReturnType<typeof parseRtcp>): void {
    // One block per speaker per datagram: 31 copies of a block must not turn into 31 packets to the same speaker.
    const seen = new Set<SfuMember>();
    for (const packet of packets) {
      if (packet.type !== RtcpType.ReceiverReport || !('blocks' in packet)) continue;
      for (const block of packet.blocks) {
        const speaker = this.bySsrc.get(block.ssrc);
        if (!speaker || speaker === reporter || speaker.room !== reporter.room || seen.has(speaker)) continue;
        seen.add(speaker);
        if (!speaker.cipher || !speaker.remote) continue;
        let out: Buffer;
        try {
          out = speaker.cipher.sealRtcp(buildReceiverReport(reporter.ssrc, [block]));
        } catch (error) {
          this.sealFailed(speaker, error);
          continue;
        }
        this.stats.reportsForwarded++;
        this.send(out, speaker.remote.port, speaker.remote.address);
      }
    }
  }

  /**
   * IP discovery: answered only for a known SSRC, with a response the size of the request (74 bytes each, so no
   * amplification), and only to the member's bound address — the first source that asked binds it. No rebinding
   * afterwards, not even before the member has a key: SSRCs become public inside a room, and a later request from
   * elsewhere would hijack the member's stream (or aim it at a third party). A client whose address changed (NAT
   * rebinding) starts a new session, as with Discord.
   */
  private discover(ssrc: number, address: string, port: number): void {
    const member = this.bySsrc.get(ssrc);
    if (!member) {
      this.stats.dropped.unknownSsrc++;
      return;
    }
    const remote = member.remote;
    if (remote === null) this.bindRemote(member, address, port);
    else if (remote.address !== address || remote.port !== port) {
      this.stats.dropped.wrongAddress++;
      return;
    }
    this.stats.discoveries++;
    this.send(buildIpDiscoveryResponse(ssrc, address, port), port, address);
  }

  private sealFailed(member: SfuMember, error: unknown): void {
    // Anything else is a bug: let `handle` count it.
    if (!(error instanceof PacketError && error.code === 'NONCE_EXHAUSTED')) throw error;
    this.stats.dropped.exhausted++;
    this.onCipherExhausted?.(member);
  }

  /**
   * Binds a member to the address its packets come from and its media goes to. The SFU calls it with proven source
   * addresses only (see `remote`); in-process users (tests, benches) may bind members directly.
   */
  public bindRemote(member: SfuMember, address: string, port: number): void {
    this.unbind(member);
    member.remote = { address, port };
    this.byRemote.set(`${address}|${port}`, member);
  }

  private unbind(member: SfuMember): void {
    const remote = member.remote;
    if (!remote) return;
    const key = `${remote.address}|${remote.port}`;
    if (this.byRemote.get(key) === member) this.byRemote.delete(key);
  }

  private isKnownRemote(address: string, port: number): boolean {
    return this.byRemote.has(`${address}|${port}`);
  }
}
