import { VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import type { EncryptionMode } from '../crypto/modes.js';
import type { PacketCipher } from '../crypto/PacketCipher.js';
import type { DaveMember } from '../dave/DaveGroup.js';
import { encodeServerFrame } from '../dave/daveFrames.js';
import type { Position } from '../spatial/spatialize.js';
import type { MemberVideo } from '../video/MemberVideo.js';
import type { VideoAnnouncement } from '../video/videoTypes.js';
import type { SfuMember } from './Sfu.js';

/** A member as the server's events and `members()` describe it. */
export interface VoiceMemberInfo {
  userId: string;
  guildId: string;
  channelId: string;
  sessionId: string;
  ssrc: number;
  mode: EncryptionMode | null;
}

/**
 * What a member needs of the WebSocket it is reached through. The server's connections implement it; a member outlives
 * its socket while it may resume, and a resume attaches another one.
 */
export interface MemberLink {
  /** Voice gateway version the socket speaks (v8 numbers server messages). */
  readonly version: number;
  /** False once the socket is closing or no longer open: messages are then dropped (v8 keeps them for resume). */
  readonly writable: boolean;
  sendText(text: string): void;
  /** Sends a binary frame (DAVE, docs/protocol.md › DAVE). */
  sendBinary?(frame: Buffer): void;
  /** The member is gone or moved to another socket: forget it and close with this code. */
  drop(code: number, reason: string): void;
}

export interface MemberEvents {
  /** The member's speaking flags changed (Speaking, op 5). */
  speaking: [flags: number];
  /** The member sent Video (op 12): its camera state and streams, already validated against its SSRCs. */
  video: [announcement: VideoAnnouncement];
  /** The member ended; it is out of its room and its socket, if it had one, is closing. */
  close: [reason: string];
}

/** What a room gives a member it creates. */
export interface MemberInit {
  userId: string;
  guildId: string;
  channelId: string;
  sessionId: string;
  /** The Identify token: a resume presents it again. */
  token: string;
  ssrc: number;
  /** The Sfu's room key of the member's room. */
  room: string;
  link: MemberLink;
  mixed: boolean;
  /** Its video layers (SSRCs allocated at Identify), or null when it asked for no video. */
  video?: MemberVideo | null;
  /** `max_dave_protocol_version` of its Identify (0 when it did not say, or spoke a gateway version before 8). */
  maxDaveVersion?: number;
}

/** v8 messages kept for a resume: a client that missed more has to identify again. */
const OUTBOX_SIZE = 128;
/** Server messages numbered in v8 (Hello and heartbeat ACKs are not). */
const UNSEQUENCED: ReadonlySet<number> = new Set([VoiceOpcode.Hello, VoiceOpcode.HeartbeatAck, VoiceOpcode.Resumed]);

/**
 * One user's voice session in a room: its signalling state (socket, v8 sequence and resume buffer, speaking flags,
 * resume deadline) and the media record the Sfu routes with. Created by `Room.addMember`, never directly; `close`
 * ends it, and its room then tells the others.
 */
export class Member extends EventEmitter<MemberEvents> {
  public readonly userId: string;
  public readonly guildId: string;
  public readonly channelId: string;
  public readonly sessionId: string;
  public readonly token: string;
  /**
   * The media-plane record: the Sfu reads it on every packet and writes `remote`, `silenceRun` and `rtcpAt`. A
   * separate plain object keeps the forwarding path's property loads on one small, stable shape.
   */
  public readonly media: SfuMember;
  /** Highest DAVE protocol version its client supports. */
  public readonly maxDaveVersion: number;
  /** Its place in the room's DAVE group (set by the room). */
  public dave: DaveMember | null = null;
  #link: MemberLink | null;
  #version: number;
  #seq = 0;
  #outbox: { seq: number; text: string | Buffer }[] = [];
  #speaking = 0;
  #resumeTimer: NodeJS.Timeout | null = null;
  #closed = false;

  /** @internal Rooms create members (`Room.addMember`). */
  public constructor(init: MemberInit) {
    super();
    this.userId = init.userId;
    this.guildId = init.guildId;
    this.channelId = init.channelId;
    this.sessionId = init.sessionId;
    this.token = init.token;
    this.#link = init.link;
    this.#version = init.link.version;
    this.maxDaveVersion = init.maxDaveVersion ?? 0;
    this.media = {
      userId: init.userId,
      ssrc: init.ssrc,
      room: init.room,
      mode: null,
      cipher: null,
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
      mixed: init.mixed,
      video: init.video ?? null,
      plainOnly: (init.maxDaveVersion ?? 0) < 1,
    };
  }

  public get ssrc(): number {
    return this.media.ssrc;
  }

  public get speaking(): number {
    return this.#speaking;
  }

  public get closed(): boolean {
    return this.#closed;
  }

  /** The socket the member is reached through; null while it is disconnected (resumable) or after it closed. */
  public get link(): MemberLink | null {
    return this.#link;
  }

  /** Server mute: its packets are not forwarded. */
  public get muted(): boolean {
    return this.media.muted;
  }

  public set muted(muted: boolean) {
    this.media.muted = muted;
  }

  /** Server deafen: it receives no audio. */
  public get deafened(): boolean {
    return this.media.deafened;
  }

  public set deafened(deafened: boolean) {
    this.media.deafened = deafened;
  }

  /** Receives the server mix instead of every speaker's stream. */
  public get mixed(): boolean {
    return this.media.mixed === true;
  }

  public set mixed(mixed: boolean) {
    this.media.mixed = mixed;
  }

  /** Where it is in a positional room (a copy is kept). */
  public setPosition(position: Position | null): void {
    this.media.position = position ? { ...position } : null;
  }

  public get info(): VoiceMemberInfo {
    return {
      userId: this.userId,
      guildId: this.guildId,
      channelId: this.channelId,
      sessionId: this.sessionId,
      ssrc: this.media.ssrc,
      mode: this.media.mode,
    };
  }

  /** Select Protocol done: packets are sealed and opened with this cipher from now on. */
  public setCipher(mode: EncryptionMode, cipher: PacketCipher): void {
    this.media.mode = mode;
    this.media.cipher = cipher;
  }

  /** Video (op 12): the room applies it to the media plane and relays it to the others. */
  public setVideo(announcement: VideoAnnouncement): void {
    this.emit('video', announcement);
  }

  /** Speaking (op 5): the room relays the new flags to the others. */
  public setSpeaking(flags: number): void {
    this.#speaking = flags;
    this.emit('speaking', flags);
  }

  /** Sends a message: numbered and kept for resume in v8, dropped silently while disconnected (v4). */
  public send(op: number, d: unknown): void {
    const link = this.#link;
    let text: string;
    if (this.#version >= 8 && !UNSEQUENCED.has(op)) {
      const seq = ++this.#seq;
      text = JSON.stringify({ op, d, seq });
      this.#outbox.push({ seq, text });
      if (this.#outbox.length > OUTBOX_SIZE) this.#outbox.shift();
    } else text = JSON.stringify({ op, d });
    if (link?.writable) link.sendText(text);
  }

  /** Sends a DAVE binary frame: numbered with the JSON messages (uint16 on the wire) and kept for resume alike. */
  public sendBinary(op: number, payload: Buffer): void {
    const seq = ++this.#seq;
    const frame = encodeServerFrame(seq, op, payload);
    this.#outbox.push({ seq, text: frame });
    if (this.#outbox.length > OUTBOX_SIZE) this.#outbox.shift();
    const link = this.#link;
    if (link?.writable) link.sendBinary?.(frame);
  }

  /** The client saw every message up to `seq` (v8 heartbeat `seq_ack`): they need not be kept any longer. */
  public acknowledge(seq: number): void {
    let drop = 0;
    while (drop < this.#outbox.length && this.#outbox[drop]!.seq <= seq) drop++;
    if (drop > 0) this.#outbox.splice(0, drop);
  }

  /** Resume (op 7): continues on `link`, replaying (v8) the messages after `seqAck`. The previous socket is closed. */
  public resume(link: MemberLink, seqAck: number): void {
    const previous = this.#link;
    if (previous && previous !== link) previous.drop(1000, 'resumed elsewhere');
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = null;
    this.#link = link;
    this.#version = link.version;
    if (link.version >= 8)
      for (const entry of this.#outbox) {
        if (entry.seq <= seqAck) continue;
        if (typeof entry.text === 'string') link.sendText(entry.text);
        else link.sendBinary?.(entry.text);
      }
  }

  /**
   * Its socket closed. A client that said goodbye (`clean`: 1000/1001) leaves; after anything else the member waits
   * `resumeTimeout` ms for a Resume, then ends.
   */
  public disconnected(link: MemberLink, clean: boolean, resumeTimeout: number): void {
    if (this.#closed || this.#link !== link) return;
    this.#link = null;
    if (clean) {
      this.close(null, 'left');
      return;
    }
    this.#resumeTimer = setTimeout(() => this.close(null, 'resume timeout'), resumeTimeout);
    this.#resumeTimer.unref();
  }

  /** Ends the member; with a `code`, its socket closes with it (null: the socket is already going). Idempotent. */
  public close(code: number | null, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = null;
    const link = this.#link;
    this.#link = null;
    if (link && code !== null) link.drop(code, reason);
    this.emit('close', reason);
    this.removeAllListeners();
  }
}
