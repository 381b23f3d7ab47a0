import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { ENCRYPTION_MODES, type EncryptionMode } from '../crypto/modes.js';
import type { DaveEvent, DaveGroupOptions } from '../dave/DaveGroup.js';
import { ExternalSender } from '../dave/ExternalSender.js';
import { type EvidenceClip, EvidenceRecorder } from '../evidence/EvidenceRecorder.js';
import { Mixer, type MixerStats } from '../mixer/Mixer.js';
import type { Position, PositionalOptions } from '../spatial/spatialize.js';
import { MAX_NARRATORS, Narrator } from '../speech/Narrator.js';
import type { Transcriber, Transcript } from '../speech/Speech.js';
import { SpeechTap, type SpeechTapStats } from '../speech/SpeechTap.js';
import { MemberVideo } from '../video/MemberVideo.js';
import { parseIdentifyStreams, type RequestedStream } from '../video/videoPayloads.js';
import type { Connection } from './Connection.js';
import { createDatagramSender } from './createDatagramSender.js';
import type { Member, VoiceMemberInfo } from './Member.js';
import { parseIdentify, parseResume, Refusal } from './payloads.js';
import { Room, roomKey } from './Room.js';
import { Sfu, type SfuStats } from './Sfu.js';
import { StreamRooms } from './StreamRooms.js';
import { TokenAllocator } from './TokenAllocator.js';
import { VoiceGateway } from './VoiceGateway.js';
import type {
  StreamAllocation,
  StreamAllocationRequest,
  StreamReleaseRequest,
  VoiceAllocation,
  VoiceAllocationRequest,
  VoiceGatewayContract,
  VoiceReleaseRequest,
  VoiceStateNotice,
} from './VoiceGatewayContract.js';
import {
  type ResolvedVoiceServerOptions,
  resolveVoiceServerOptions,
  type VoiceServerOptions,
} from './VoiceServerOptions.js';

export interface VoiceServerEvents {
  memberJoin: [member: VoiceMemberInfo];
  memberLeave: [member: VoiceMemberInfo, reason: string];
  speaking: [event: { member: VoiceMemberInfo; speaking: number }];
  /** What a call's DAVE group did (version changes, commits, transitions executed, resets). */
  dave: [event: DaveEvent & { guildId: string; channelId: string }];
  /** What the speech tap heard in a channel that transcribes (`transcribe`). */
  transcript: [transcript: Transcript];
  error: [error: Error];
}

/**
 * A Discord-compatible voice server: the voice gateway (ws/wss, v4 and v8) in front of the UDP SFU. It is signalling
 * over `Room`s (one per voice channel in a call) and their `Member`s, which own their state; the `Sfu` moves the
 * media. Closing the server closes its rooms, and a room its members. It implements the gateway ↔ voice contract
 * (`allocate`, `release`), so it is a gateway's voice allocator as is.
 */
export class VoiceServer extends EventEmitter<VoiceServerEvents> implements VoiceGatewayContract {
  readonly #options: ResolvedVoiceServerOptions;
  readonly #http: HttpServer;
  readonly #gateway: VoiceGateway;
  readonly #udp: Socket;
  /** The media engine. A TypeScript-private field, not `#`: tests reach it to put loss on one leg. */
  private readonly sfu: Sfu;
  readonly #tokens: TokenAllocator;
  readonly #rooms = new Map<string, Room>();
  /** One member per user and guild (`guild:user`): a new Identify replaces the old one. */
  readonly #members = new Map<string, Member>();
  /** Server mute (or no SPEAK) and deafen per `guild:user`, from the gateway (`voiceStateChanged`). */
  readonly #moderated = new Map<string, { mute: boolean; deaf: boolean }>();

  readonly #byToken = new Map<string, Member>();
  /** Go Live streams: each a room named by its own rtc server id (docs/protocol.md "Go Live"). */
  readonly #streams = new StreamRooms();
  readonly #modes: readonly EncryptionMode[];
  #publicIp = '127.0.0.1';
  #mixer: Mixer | null = null;
  #mixTimer: NodeJS.Timeout | null = null;
  /** Text to speech: one narrator per guild and user speaking (`speak`), keyed `guild \0 user`. */
  readonly #narrators = new Map<string, Narrator>();
  #closed = false;
  /** The gateway's MLS external-sender key, one per server (null: DAVE off). */
  readonly #daveSender: ExternalSender | null;

  private constructor(options: VoiceServerOptions) {
    super();
    this.#options = resolveVoiceServerOptions(options);
    this.#modes = options.modes ?? ENCRYPTION_MODES;
    this.#daveSender = options.dave?.enabled === false ? null : new ExternalSender();
    this.#tokens = new TokenAllocator(this.#options.allocationTtl);
    this.#http = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key })
      : createHttpServer((_req, res) => res.writeHead(426).end());
    this.#gateway = new VoiceGateway(
      this.#http,
      {
        ...this.#options,
        modes: this.#modes,
        browsers:
          options.webrtc?.enabled === false
            ? undefined
            : { sfu: () => this.sfu, bindAddress: () => options.webrtc?.bindAddress ?? this.#publicIp },
      },
      {
        identify: (conn, d) => this.#onIdentify(conn, d),
        resume: (conn, d) => this.#onResume(conn, d),
        positional: (room) => this.sfu.positionalOptions(room),
        error: (error) => this.emit('error', error),
      },
    );
    // Fan-out sends bursts of N datagrams per packet received: a larger kernel buffer absorbs them (capped by rmem/wmem_max).
    const buffer = this.#options.udpBufferSize;
    this.#udp = createSocket({ type: 'udp4', recvBufferSize: buffer, sendBufferSize: buffer });
    this.#udp.on('error', (error) => this.emit('error', error));
    this.sfu = new Sfu(
      createDatagramSender(this.#udp, this.#options.udpBatch) ??
        ((packet, port, address) => this.#udp.send(packet, port, address)),
    );
    // A listener our nonce counter ran out for needs a new key: end its session (4006), the client identifies again.
    this.sfu.onCipherExhausted = (media) =>
      queueMicrotask(() =>
        this.#rooms
          .get(media.room)
          ?.memberOf(media)
          ?.close(VoiceCloseCode.SessionNoLongerValid, 'nonce counter exhausted'),
      );
    this.#udp.on('message', (msg, rinfo) => this.sfu.handle(msg, rinfo.address, rinfo.port));
  }

  /** Binds the WebSocket and UDP sockets. */
  public static async listen(options: VoiceServerOptions = {}): Promise<VoiceServer> {
    const server = new VoiceServer(options);
    const host = server.#options.host;
    try {
      await new Promise<void>((resolve, reject) => {
        server.#http.once('error', reject);
        server.#http.listen(options.port ?? 0, host, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        server.#udp.once('error', reject);
        server.#udp.bind(options.udpPort ?? 0, host, () => resolve());
      });
    } catch (error) {
      await server.close();
      throw error;
    }
    const wildcard = host === '0.0.0.0' || host === '::';
    server.#publicIp = options.publicIp ?? (wildcard ? '127.0.0.1' : host);
    return server;
  }

  /** Ports actually bound (useful with port 0). */
  public address(): { host: string; port: number; udpPort: number } {
    return {
      host: this.#publicIp,
      port: (this.#http.address() as AddressInfo).port,
      udpPort: this.#udp.address().port,
    };
  }

  /** Media-plane counters: received, forwarded, dropped by reason; `mixer` once a user was set mixed. */
  public get stats(): SfuStats & {
    sessions: number;
    connections: number;
    mixer: MixerStats | null;
    speech: SpeechTapStats | null;
  } {
    const speech = this.sfu.speech?.stats;
    return {
      ...this.sfu.stats,
      sessions: this.#members.size,
      connections: this.#gateway.size,
      mixer: this.#mixer ? { ...this.#mixer.stats } : null,
      speech: speech ? { ...speech, dropped: { ...speech.dropped } } : null,
    };
  }

  /**
   * Issues the token and endpoint for a VOICE_SERVER_UPDATE. The endpoint is host:port without scheme, as Discord
   * sends it (clients add wss://).
   */
  public allocate(request: VoiceAllocationRequest): VoiceAllocation & { endpoint: string } {
    const { token } = this.#tokens.issue(request);
    const host = this.#options.publicHost ?? this.#publicIp;
    return { token, endpoint: `${host}:${this.address().port}` };
  }

  /** The user left voice in the main gateway: its voice connection ends too (4014, as Discord does). */
  public release(request: VoiceReleaseRequest): void {
    this.disconnect(request.userId, request.guildId);
  }

  /**
   * A Go Live stream connection: a token for the stream's room (made for its first allocation), to be presented with
   * `server_id: rtcServerId`. Viewers only receive: their packets are not forwarded (see `#onIdentify`).
   */
  public allocateStream(request: StreamAllocationRequest): StreamAllocation & { endpoint: string } {
    const room = this.#streams.open(request);
    const { token, endpoint } = this.allocate({
      guildId: room.rtcServerId,
      channelId: room.rtcChannelId,
      userId: request.userId,
      sessionId: request.sessionId,
    });
    return { token, endpoint, rtcServerId: room.rtcServerId, rtcChannelId: room.rtcChannelId };
  }

  /** A viewer stopped watching (its stream connection ends, 4014), or the stream ended (its room closes, 4022). */
  public releaseStream(request: StreamReleaseRequest): void {
    const room = this.#streams.get(request.streamKey);
    if (!room) return;
    if (request.userId !== undefined && request.userId !== room.ownerId) {
      this.disconnect(request.userId, room.rtcServerId);
      return;
    }
    this.#streams.close(request.streamKey);
    this.endCall(room.rtcServerId, room.rtcChannelId);
  }

  /** A voice channel's call, while it has members. */
  public room(guildId: string, channelId: string): Room | undefined {
    return this.#rooms.get(roomKey(guildId, channelId));
  }

  /** Members currently in a channel. */
  public members(guildId: string, channelId: string): VoiceMemberInfo[] {
    const room = this.room(guildId, channelId);
    return room ? [...room.members].map((m) => m.info) : [];
  }

  /** Server mute: the user's packets are no longer forwarded. */
  public setMute(userId: string, muted = true, guildId?: string): void {
    for (const member of this.#find(userId, guildId)) member.muted = muted;
  }

  /**
   * The gateway's voice state of a user (the `VoiceGatewayContract` hook, called on every change): server mute, a
   * missing SPEAK (`suppress`) and server deafen are enforced here, so a client that ignores them is still not heard,
   * or not sent audio. Kept per guild and user until the user leaves voice, and applied when they connect.
   */
  public voiceStateChanged(state: VoiceStateNotice): void {
    const key = `${state.guildId}:${state.userId}`;
    if (state.channelId === null) {
      this.#moderated.delete(key);
      return;
    }
    const moderated = { mute: state.mute || state.suppress, deaf: state.deaf };
    this.#moderated.set(key, moderated);
    for (const member of this.#find(state.userId, state.guildId)) {
      member.muted = moderated.mute;
      member.deafened = moderated.deaf;
    }
  }

  /** Server deafen: the user receives no audio. */
  public setDeaf(userId: string, deafened = true, guildId?: string): void {
    for (const member of this.#find(userId, guildId)) member.deafened = deafened;
  }

  /**
   * Makes a channel positional (proximity chat): audio goes only to listeners within `range` of the speaker, and the
   * server mixer (if used) applies distance gain and stereo pan. Pass null to make it a plain channel again. The
   * setting is kept for the channel whether or not a call is going on in it.
   */
  public setPositional(guildId: string, channelId: string, options: PositionalOptions | null): void {
    this.sfu.setPositional(roomKey(guildId, channelId), options);
  }

  /** Sets where a user is (and, for listening, which way they face) in a positional channel. */
  public setPosition(userId: string, position: Position | null, guildId?: string): void {
    for (const member of this.#find(userId, guildId)) member.setPosition(position);
  }

  /**
   * Every position of a channel's members at once, as a game server sends them each tick: users not in the call are
   * skipped, users left out keep their position.
   */
  public setPositions(
    guildId: string,
    channelId: string,
    positions: Iterable<readonly [string, Position | null]>,
  ): void {
    const room = this.room(guildId, channelId);
    if (!room) return;
    const byUser = new Map<string, Member>();
    for (const member of room.members) byUser.set(member.userId, member);
    for (const [userId, position] of positions) byUser.get(userId)?.setPosition(position);
  }

  /**
   * The speakers a user does not hear, in every channel (their audio and video are not forwarded to that user):
   * a block list. Replaces the previous list; null or empty clears it. Kept across the user's reconnects.
   */
  public setBlocked(userId: string, blockedUserIds: Iterable<string> | null): void {
    this.sfu.audibility.setBlocked(userId, blockedUserIds);
  }

  /** While set, a user is heard only by these users (at full level, whatever the distance); null ends it. */
  public setWhisper(userId: string, toUserIds: Iterable<string> | null): void {
    this.sfu.audibility.setWhisper(userId, toUserIds);
  }

  /**
   * Keeps the last `seconds` (1–60) of every speaker's voice in a channel, for reports (`evidenceClip`); null stops.
   * Opt-in per channel: the players should be told (a game's terms, a notice in the channel). Not kept: end-to-end
   * encrypted (DAVE) frames, silence.
   */
  public recordEvidence(guildId: string, channelId: string, seconds: number | null): void {
    if (seconds !== null && !this.sfu.evidence) this.sfu.evidence = new EvidenceRecorder();
    this.sfu.evidence?.setRoom(roomKey(guildId, channelId), seconds);
  }

  /** A user's last `seconds` of voice (as much as was kept) as Ogg Opus, or null when nothing was kept. */
  public evidenceClip(userId: string, seconds: number): EvidenceClip | null {
    return this.sfu.evidence?.clip(userId, seconds) ?? null;
  }

  /** A user's team, for positional channels with a team rule (`PositionalOptions.teams`); null: no team. */
  public setTeam(userId: string, team: string | null): void {
    this.sfu.audibility.setTeam(userId, team);
  }

  /**
   * Speech to text for a channel (null stops): each speaker's utterances go to `transcriber`, what it answers is
   * emitted as `transcript` (README › Speech). Opt-in per channel; decoders, queue and timeout are bounded.
   */
  public transcribe(guildId: string, channelId: string, transcriber: Transcriber | null): void {
    if (transcriber !== null && !this.sfu.speech)
      this.sfu.speech = new SpeechTap((t) => this.emit('transcript', t), this.#options.speech);
    const target = transcriber && { guildId, channelId, transcriber };
    this.sfu.speech?.setRoom(roomKey(guildId, channelId), target);
  }

  /**
   * Speaks 48 kHz interleaved stereo s16 samples into a channel as `userId` (default `narrator`; not a member's id:
   * it would replace their session), paced at real time; resolves with the frames sent once played.
   */
  public speak(
    guildId: string,
    channelId: string,
    pcm: Int16Array,
    options: { userId?: string } = {},
  ): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('voice server closed'));
    const userId = options.userId ?? 'narrator';
    // A user has one voice session per guild (a new Identify replaces the old): one narrator per guild and user.
    const key = `${guildId}\0${userId}`;
    let narrator = this.#narrators.get(key);
    if (narrator && narrator.channelId !== channelId) {
      if (narrator.pending > 0) return Promise.reject(new Error(`${userId} is speaking in another channel`));
      narrator.close();
      this.#narrators.delete(key);
      narrator = undefined;
    }
    if (!narrator) {
      // At the cap, a narrator lingering after its last speech makes room; one still speaking does not.
      const [idleKey, idle] = [...this.#narrators].find(([, n]) => n.pending === 0) ?? [];
      if (this.#narrators.size >= MAX_NARRATORS && idle) {
        idle.close();
        this.#narrators.delete(idleKey!);
      }
      if (this.#narrators.size >= MAX_NARRATORS)
        return Promise.reject(new RangeError(`at most ${MAX_NARRATORS} channels speak at once`));
      const link = {
        allocate: (request: VoiceAllocationRequest) => this.allocate(request),
        address: () => ({ host: (this.#http.address() as AddressInfo).address, port: this.address().port }),
        secure: this.#options.tls !== undefined,
      };
      const made: Narrator = new Narrator(link, { guildId, channelId, userId }, () => {
        if (this.#narrators.get(key) === made) this.#narrators.delete(key);
      });
      narrator = made;
      this.#narrators.set(key, narrator);
    }
    return narrator.speak(pcm);
  }

  /**
   * Switches a user to one server-mixed stream (SSRC MIXER_SSRC) instead of one stream per speaker. The mixer (and
   * its 20 ms timer) starts with the first mixed user. Returns false when `maxMixedListeners` members already get the
   * mix (that user's sessions are left as they were); switching off always succeeds.
   */
  public setMixed(userId: string, mixed = true, guildId?: string): boolean {
    let granted = true;
    for (const member of this.#find(userId, guildId)) {
      if (mixed && !member.mixed && !this.#mixSlotFree()) granted = false;
      else member.mixed = mixed;
    }
    if (mixed && granted) this.#ensureMixer();
    return granted;
  }

  /** Kicks a user out of voice (close 4014: do not reconnect). */
  public disconnect(userId: string, guildId?: string): void {
    for (const member of this.#find(userId, guildId)) member.close(VoiceCloseCode.Disconnected, 'kicked');
  }

  /** Ends a whole channel's call (close 4022). */
  public endCall(guildId: string, channelId: string): void {
    this.room(guildId, channelId)?.close(VoiceCloseCode.CallTerminated, 'call terminated');
  }

  /**
   * Closes every room (and so every member), every connection and both sockets. `code` defaults to 1001 (going
   * away); pass 4015 when draining this node so that clients resume against the voice server they are given next.
   */
  public async close(code = 1001): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#mixTimer) clearInterval(this.#mixTimer);
    this.#mixer?.destroy();
    this.#mixer = null;
    this.sfu.speech?.close();
    for (const narrator of this.#narrators.values()) narrator.close();
    for (const room of [...this.#rooms.values()]) room.close(code, 'server closed');
    // Sockets not (or no longer) carrying a member: closed with the same code.
    await this.#gateway.close(code);
    this.#http.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.#http.listening ? this.#http.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      try {
        this.#udp.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  *#find(userId: string, guildId?: string): Generator<Member> {
    for (const member of this.#members.values()) {
      if (member.userId === userId && (guildId === undefined || member.guildId === guildId)) yield member;
    }
  }

  /** Whether one more member may get the server mix (the cap protects the codecs every mixed member costs). */
  #mixSlotFree(): boolean {
    let mixed = 0;
    for (const member of this.#members.values()) if (member.mixed) mixed++;
    return mixed < this.#options.maxMixedListeners;
  }

  #ensureMixer(): void {
    if (!this.#mixer && !this.#closed) {
      const mixer = new Mixer(this.sfu, (packet, port, address) => this.#udp.send(packet, port, address), {
        maxSpeakers: this.#options.maxMixedSpeakers,
      });
      this.#mixer = mixer;
      this.#mixTimer = setInterval(() => mixer.tick(), 20);
      this.#mixTimer.unref();
    }
  }

  /** The room of a channel, created (and wired to the server's events and indexes) for its first member. */
  #roomFor(guildId: string, channelId: string): Room {
    const existing = this.room(guildId, channelId);
    if (existing) return existing;
    const sender = this.#daveSender;
    const dave: DaveGroupOptions | null = sender && {
      enabled: true,
      sender,
      transitionTimeout: this.#options.dave?.transitionTimeout ?? 3_000,
      onEvent: (event) => this.emit('dave', { ...event, guildId, channelId }),
    };
    const room = new Room(guildId, channelId, this.sfu, dave);
    this.#rooms.set(room.key, room);
    room.on('memberJoin', (member) => {
      // Indexed before the event, so that a listener already finds the member (setMute, members(), stats).
      this.#members.set(`${member.guildId}:${member.userId}`, member);
      this.#byToken.set(member.token, member);
      // The gateway's word on server mute and deafen may come before the member connects.
      const moderated = this.#moderated.get(`${member.guildId}:${member.userId}`);
      if (moderated) {
        member.muted = moderated.mute;
        member.deafened = moderated.deaf;
      }
      this.emit('memberJoin', member.info);
    });
    room.on('speaking', (member, speaking) => this.emit('speaking', { member: member.info, speaking }));
    room.on('memberLeave', (member, reason) => {
      const key = `${member.guildId}:${member.userId}`;
      if (this.#members.get(key) === member) this.#members.delete(key);
      if (this.#byToken.get(member.token) === member) this.#byToken.delete(member.token);
      this.sfu.speech?.leave(room.key, member.userId);
      this.emit('memberLeave', member.info, reason);
    });
    room.once('close', () => this.#rooms.delete(room.key));
    return room;
  }

  async #onIdentify(conn: Connection, d: unknown): Promise<void> {
    const identify = parseIdentify(d);
    if (identify instanceof Refusal) return void conn.refuse(identify);
    // Video layers asked for (`video`, `streams`): checked now, SSRCs allocated once the member is let in.
    const requested = parseIdentifyStreams(d as Record<string, unknown>);
    if (requested instanceof Refusal) return void conn.refuse(requested);
    conn.pending = true;
    let channelId: string | null = null;
    const issued = this.#tokens.verify(identify.token, identify.serverId, identify.userId, identify.sessionId);
    if (issued) channelId = issued.channelId;
    else if (this.#options.authorize) {
      const { mixed: _, maxDaveVersion: _dave, ...asked } = identify;
      try {
        channelId = (await this.#options.authorize(asked))?.channelId ?? null;
      } catch (error) {
        this.emit('error', error as Error);
      }
    }
    conn.pending = false;
    if (conn.closing || this.#closed) return;
    if (channelId === null) {
      // A real token presented to the wrong server_id: the client is looking for a voice server that is not this one.
      const guild = this.#tokens.guildOf(identify.token);
      if (guild !== null && guild !== identify.serverId)
        return conn.close(VoiceCloseCode.ServerNotFound, 'server not found');
      return conn.close(VoiceCloseCode.AuthenticationFailed, 'authentication failed');
    }
    // One voice session per user and guild: a new Identify replaces the old one.
    for (const old of [...this.#find(identify.userId, identify.serverId)]) {
      old.close(VoiceCloseCode.SessionNoLongerValid, 'replaced');
    }
    // Ready says whether a client that asked for the server mix got it (no: the node's mixing capacity is full).
    const mixed = identify.mixed && this.#mixSlotFree();
    if (mixed) this.#ensureMixer();
    const ssrc = this.#newSsrc();
    const video = requested ? this.#allocateVideo(requested, ssrc) : null;
    const member = this.#roomFor(identify.serverId, channelId).addMember({
      userId: identify.userId,
      sessionId: identify.sessionId,
      token: identify.token,
      ssrc,
      link: conn,
      mixed,
      // DAVE frames are numbered like v8 messages: older gateway versions get version 0 (transport encryption only).
      maxDaveVersion: conn.version >= 8 ? identify.maxDaveVersion : 0,
      ready: {
        ssrc,
        ip: this.#publicIp,
        port: this.address().udpPort,
        modes: this.#modes,
        heartbeat_interval: this.#options.heartbeatInterval,
        ...(identify.mixed ? { mixed } : {}),
        ...(video ? { streams: video.readyStreams() } : {}),
      },
      video,
    });
    // A memberJoin listener may already have ended it (e.g. kicked it).
    // A stream's viewer receives the streamer's screen and sends nothing that others get.
    const stream = this.#streams.byServer(identify.serverId);
    if (stream && stream.ownerId !== member.userId) member.muted = true;
    if (!member.closed) conn.member = member;
  }

  #onResume(conn: Connection, d: unknown): void {
    const resume = parseResume(d);
    if (resume instanceof Refusal) return void conn.refuse(resume);
    const member = this.#byToken.get(resume.token);
    if (!member || member.closed || member.guildId !== resume.serverId || member.sessionId !== resume.sessionId) {
      conn.close(VoiceCloseCode.SessionNoLongerValid, 'session no longer valid');
      return;
    }
    member.resume(conn, resume.seqAck);
    conn.member = member;
    conn.sendRaw(VoiceOpcode.Resumed, null);
  }

  /** One SSRC and one RTX SSRC per requested stream, unique across the node (and distinct from `audioSsrc`). */
  #allocateVideo(requested: readonly RequestedStream[], audioSsrc: number): MemberVideo {
    const taken = new Set([audioSsrc]);
    const next = () => {
      let ssrc = this.#newSsrc();
      while (taken.has(ssrc)) ssrc = this.#newSsrc();
      taken.add(ssrc);
      return ssrc;
    };
    return new MemberVideo(requested.map((stream) => ({ ...stream, ssrc: next(), rtxSsrc: next() })));
  }

  #newSsrc(): number {
    for (;;) {
      const ssrc = randomInt(1, 0xffffffff);
      if (!this.sfu.hasSsrc(ssrc)) return ssrc;
    }
  }
}

/** Starts a voice server (WebSocket gateway + UDP SFU) and resolves once both sockets are bound. */
export function createVoiceServer(options: VoiceServerOptions = {}): Promise<VoiceServer> {
  return VoiceServer.listen(options);
}
