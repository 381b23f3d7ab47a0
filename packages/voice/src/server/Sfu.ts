import type { EncryptionMode } from '../crypto/modes.js';
import type { OpenedRtp, PacketCipher } from '../crypto/PacketCipher.js';
import { PacketError } from '../errors.js';
import { buildIpDiscoveryResponse, isIpDiscoveryRequest } from '../udp/ipDiscovery.js';

/** One participant of a voice channel as the media plane sees it. */
export interface SfuMember {
  readonly userId: string;
  readonly ssrc: number;
  /** Room key (guild + channel): packets go to the other members of the same room. */
  readonly room: string;
  mode: EncryptionMode | null;
  /** Set once Select Protocol completed; packets before that are dropped. */
  cipher: PacketCipher | null;
  /** Where this member's UDP packets come from and where its audio goes. */
  remote: { address: string; port: number } | null;
  /** True once the remote came from IP discovery (Select Protocol's claimed address is then ignored). */
  discovered: boolean;
  muted: boolean;
  deafened: boolean;
  /** Consecutive silence frames received; past five they are not forwarded. */
  silenceRun: number;
}

export interface SfuStats {
  received: number;
  forwarded: number;
  discoveries: number;
  keepalives: number;
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
  };
}

export type UdpSend = (packet: Buffer, port: number, address: string) => void;

/** Forwarded silence frames before a pause (clients send five; more are noise on the wire). */
export const MAX_SILENCE_FRAMES = 5;

function isSilence(payload: Uint8Array): boolean {
  return payload.length === 3 && payload[0] === 0xf8 && payload[1] === 0xff && payload[2] === 0xfe;
}

export function createSfuStats(): SfuStats {
  return {
    received: 0,
    forwarded: 0,
    discoveries: 0,
    keepalives: 0,
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
    },
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

  public constructor(private readonly send: UdpSend) {}

  public add(member: SfuMember): void {
    this.bySsrc.set(member.ssrc, member);
    let room = this.rooms.get(member.room);
    if (!room) {
      room = new Set();
      this.rooms.set(member.room, room);
    }
    room.add(member);
  }

  public remove(member: SfuMember): void {
    if (this.bySsrc.get(member.ssrc) === member) this.bySsrc.delete(member.ssrc);
    this.unbind(member);
    const room = this.rooms.get(member.room);
    if (!room) return;
    room.delete(member);
    if (room.size === 0) this.rooms.delete(member.room);
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
    try {
      this.dispatch(msg, address, port);
    } catch (error) {
      // Only a bug can land here (every parse error is a PacketError); count it rather than kill the socket.
      if (error instanceof PacketError) this.stats.dropped.malformed++;
      else this.stats.dropped.garbage++;
    }
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
    if (msg.length < 12 || msg[0]! >> 6 !== 2) {
      this.stats.dropped.garbage++;
      return;
    }
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 76) {
      // RTCP (payload types 200-204 with the marker bit position): reports are not used by this SFU yet.
      this.stats.dropped.rtcp++;
      return;
    }
    const ssrc = msg.readUInt32BE(8);
    const sender = this.bySsrc.get(ssrc);
    if (!sender) {
      this.stats.dropped.unknownSsrc++;
      return;
    }
    const remote = sender.remote;
    if (!remote || remote.address !== address || remote.port !== port) {
      this.stats.dropped.wrongAddress++;
      return;
    }
    const cipher = sender.cipher;
    if (!cipher) {
      this.stats.dropped.noSession++;
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
    this.forward(sender, opened);
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
    for (const member of room) {
      if (member === sender || member.deafened || !member.cipher || !member.remote) continue;
      const out = member.cipher.seal(opened.header, opened.payload);
      this.stats.forwarded++;
      this.send(out, member.remote.port, member.remote.address);
    }
  }

  private discover(ssrc: number, address: string, port: number): void {
    const member = this.bySsrc.get(ssrc);
    if (!member) {
      this.stats.dropped.unknownSsrc++;
      return;
    }
    const remote = member.remote;
    const moved = remote !== null && (remote.address !== address || remote.port !== port);
    // Once a key is in use the address is fixed: SSRCs are public inside a room, so a late discovery from elsewhere
    // would let a member hijack another's stream.
    if (moved && member.cipher) {
      this.stats.dropped.wrongAddress++;
      return;
    }
    this.bindRemote(member, address, port);
    member.discovered = true;
    this.stats.discoveries++;
    this.send(buildIpDiscoveryResponse(ssrc, address, port), port, address);
  }

  /** Sets where a member's packets come from and go to. */
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
