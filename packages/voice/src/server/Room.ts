import { VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { DaveGroup, type DaveGroupOptions } from '../dave/DaveGroup.js';
import type { PositionalOptions } from '../spatial/spatialize.js';
import type { MemberVideo } from '../video/MemberVideo.js';
import type { VideoAnnouncement } from '../video/videoTypes.js';
import { Member, type MemberLink } from './Member.js';
import type { Sfu, SfuMember } from './Sfu.js';

export interface RoomEvents {
  /** A member joined (it already has its Ready and knows who is here; the others were told). */
  memberJoin: [member: Member];
  /** A member ended (the others were told with Client Disconnect). */
  memberLeave: [member: Member, reason: string];
  speaking: [member: Member, flags: number];
  /** The room is empty and gone: its last member left, or it was closed. */
  close: [];
}

/** What a new member brings: its session and the Ready (op 2) payload it is greeted with. */
export interface AddMemberOptions {
  userId: string;
  sessionId: string;
  token: string;
  ssrc: number;
  link: MemberLink;
  mixed: boolean;
  /** Its video layers, allocated at Identify (null: no video asked for). */
  video?: MemberVideo | null;
  /** `max_dave_protocol_version` of its Identify (0: no DAVE). */
  maxDaveVersion?: number;
  ready: Record<string, unknown>;
}

/** The Sfu's key of a guild's voice channel. */
export function roomKey(guildId: string, channelId: string): string {
  return `${guildId}:${channelId}`;
}

/**
 * One voice channel's call: its members and the signalling between them (who joined, who speaks with which SSRC, who
 * left). Media goes through the Sfu under the room's key; positional settings stay with the Sfu under that key, so
 * they survive the room being empty. Created by the server for the first member, closed when the last one leaves;
 * closing a room closes its members.
 */
export class Room extends EventEmitter<RoomEvents> {
  public readonly guildId: string;
  public readonly channelId: string;
  /** The Sfu's key for this channel (guild + channel). */
  public readonly key: string;
  readonly #sfu: Sfu;
  /** Members by their media record, which is what the Sfu hands back (e.g. a listener whose cipher ran out). */
  readonly #members = new Map<SfuMember, Member>();
  readonly #dave: DaveGroup | null;
  #closed = false;

  /** @internal The server creates rooms. `dave`: the call's end-to-end encryption (null: never, version 0 only). */
  public constructor(guildId: string, channelId: string, sfu: Sfu, dave: DaveGroupOptions | null = null) {
    super();
    this.guildId = guildId;
    this.channelId = channelId;
    this.key = roomKey(guildId, channelId);
    this.#sfu = sfu;
    this.#dave = dave ? new DaveGroup(channelId, dave) : null;
  }

  /** The call's DAVE group state (version, epoch, leaves), or null when DAVE is off on this server. */
  public get dave(): DaveGroup | null {
    return this.#dave;
  }

  public get closed(): boolean {
    return this.#closed;
  }

  /** Members in join order. */
  public get members(): IterableIterator<Member> {
    return this.#members.values();
  }

  public get size(): number {
    return this.#members.size;
  }

  /** Proximity settings of this channel (kept by the Sfu), or null for a plain channel. */
  public get positional(): PositionalOptions | null {
    return this.#sfu.positionalOptions(this.key);
  }

  /** The member behind a media record, if it is still in this room. */
  public memberOf(media: SfuMember): Member | undefined {
    return this.#members.get(media);
  }

  /**
   * Adds a member: it gets its Ready, then who is already here (Clients Connect, and one Speaking each so that it maps
   * their SSRCs before anyone speaks, as Discord does), and the others learn that it joined.
   */
  public addMember(options: AddMemberOptions): Member {
    if (this.#closed) throw new Error('room is closed');
    const member = new Member({ ...options, guildId: this.guildId, channelId: this.channelId, room: this.key });
    const others = [...this.#members.values()];
    this.#members.set(member.media, member);
    this.#sfu.add(member.media);
    if (this.#dave)
      member.dave = this.#dave.join({
        userId: member.userId,
        maxDaveVersion: member.maxDaveVersion,
        sendJson: (op, d) => member.send(op, d),
        sendBinary: (op, payload) => member.sendBinary(op, payload),
      });
    member.on('speaking', (flags) => this.#onSpeaking(member, flags));
    member.on('video', (announcement) => this.#onVideo(member, announcement));
    member.once('close', (reason) => this.#onMemberClose(member, reason));
    member.send(VoiceOpcode.Ready, options.ready);
    if (others.length > 0) {
      member.send(VoiceOpcode.ClientsConnect, { user_ids: others.map((o) => o.userId) });
      for (const o of others)
        member.send(VoiceOpcode.Speaking, { speaking: o.speaking, ssrc: o.ssrc, user_id: o.userId });
      // And whose camera is on (their last Video, op 12), so that it maps their video SSRCs.
      for (const o of others) {
        const announced = o.media.video?.announcement;
        if (announced && announced.video_ssrc !== 0)
          member.send(VoiceOpcode.Video, { ...announced, user_id: o.userId });
      }
    }
    for (const o of others) o.send(VoiceOpcode.ClientsConnect, { user_ids: [member.userId] });
    this.emit('memberJoin', member);
    return member;
  }

  /** Ends every member's session with this close code (e.g. 4022 call terminated), then the room. Idempotent. */
  public close(code: number | null = null, reason = 'room closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const member of [...this.#members.values()]) member.close(code, reason);
    this.#dave?.close();
    this.emit('close');
    this.removeAllListeners();
  }

  #onSpeaking(member: Member, flags: number): void {
    for (const other of this.#members.values()) {
      if (other !== member)
        other.send(VoiceOpcode.Speaking, { speaking: flags, ssrc: member.ssrc, user_id: member.userId });
    }
    this.emit('speaking', member, flags);
  }

  /** Video (op 12): the media plane starts or stops forwarding, and the others learn the SSRCs (or that it is off). */
  #onVideo(member: Member, announcement: VideoAnnouncement): void {
    this.#sfu.video.announce(member.media, announcement);
    for (const other of this.#members.values()) {
      if (other !== member) other.send(VoiceOpcode.Video, { ...announcement, user_id: member.userId });
    }
  }

  #onMemberClose(member: Member, reason: string): void {
    this.#members.delete(member.media);
    this.#sfu.remove(member.media);
    for (const other of this.#members.values()) other.send(VoiceOpcode.ClientDisconnect, { user_id: member.userId });
    // After Client Disconnect: the others' DAVE clients then expect the Remove proposal that may follow.
    member.dave?.leave();
    this.emit('memberLeave', member, reason);
    if (this.#members.size === 0) this.close();
  }
}
