import { randomBytes } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CryptoBackend } from '../crypto/backends.js';
import type { EncryptionMode } from '../crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../crypto/PacketCipher.js';
import { DaveOpcode, parseTransitionId } from '../dave/daveFrames.js';
import { CLIENT_POSITION_OP, DEFAULT_CLIENT_POSITION_RATE, parseClientPosition } from '../spatial/clientPosition.js';
import type { PositionalOptions } from '../spatial/spatialize.js';
import { codecTable, preferredVideoCodec } from '../video/codecs.js';
import { VideoRouter } from '../video/VideoRouter.js';
import { MEDIA_SINK_WANTS_OP, parseCodecs, parseSinkWants, parseVideo } from '../video/videoPayloads.js';
import { isWebRtcSelect, selectWebRtc, type WebRtcOptions } from '../webrtc/selectWebRtc.js';
import { Connection } from './Connection.js';
import type { Member } from './Member.js';
import { MAX_SELECT_PROTOCOL_PAYLOAD, parseSelectProtocol, parseSpeaking, Refusal } from './payloads.js';

export interface VoiceGatewayOptions {
  heartbeatInterval: number;
  identifyTimeout: number;
  resumeTimeout: number;
  rateLimit: { commands: number; windowMs: number };
  /** Encryption modes offered in Ready; Select Protocol must pick one. */
  modes: readonly EncryptionMode[];
  backend?: CryptoBackend | undefined;
  /** Accept browsers (Select Protocol `protocol: 'webrtc'`, docs/protocol.md "Browsers (WebRTC)"); unset: refused. */
  browsers?: WebRtcOptions | undefined;
}

/** What the gateway hands to the server: the commands that create or find a member, and errors. */
export interface VoiceGatewayHost {
  /** Identify (op 0) on a connection without a member; the server authorizes it and joins the room. */
  identify(conn: Connection, d: unknown): Promise<void>;
  /** Resume (op 7) on a connection without a member. */
  resume(conn: Connection, d: unknown): void;
  /** A room's positional settings (null: not positional), for client positions (op 1001). */
  positional(room: string): PositionalOptions | null;
  error(error: Error): void;
}

/**
 * The voice gateway's WebSocket side: accepts connections (v4 to v8), greets them with Hello, routes their commands,
 * closes the silent and the unidentified, and hands a closed socket's member over to its resume window. Commands of a
 * member (Select Protocol, Speaking) are handled here; Identify and Resume go to the server, which owns the rooms.
 */
export class VoiceGateway {
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #options: VoiceGatewayOptions;
  readonly #host: VoiceGatewayHost;
  readonly #sweepTimer: NodeJS.Timeout;

  public constructor(http: HttpServer, options: VoiceGatewayOptions, host: VoiceGatewayHost) {
    this.#options = options;
    this.#host = host;
    this.#wss = new WebSocketServer({ server: http, maxPayload: MAX_SELECT_PROTOCOL_PAYLOAD });
    this.#wss.on('connection', (ws, req) => this.#onConnection(ws, req));
    this.#wss.on('error', (error) => host.error(error));
    const { heartbeatInterval, identifyTimeout } = options;
    const every = Math.max(50, Math.floor(Math.min(heartbeatInterval / 2, identifyTimeout / 4)));
    this.#sweepTimer = setInterval(() => this.#sweep(), every);
    this.#sweepTimer.unref();
  }

  /** Open connections, identified or not. */
  public get size(): number {
    return this.#connections.size;
  }

  /** Closes every connection with `code`, waits up to a second for the close frames to go out, then cuts the rest. */
  public async close(code: number): Promise<void> {
    clearInterval(this.#sweepTimer);
    for (const conn of this.#connections) conn.close(code, 'server closed');
    const deadline = Date.now() + 1_000;
    while (this.#connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const conn of this.#connections) conn.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const v = new URL(req.url ?? '/', 'http://voice').searchParams.get('v');
    const version = v === null ? 4 : Number(v);
    const conn = new Connection(ws, version, this.#options.rateLimit);
    this.#connections.add(conn);
    ws.on('close', (code) => this.#onClose(conn, code));
    ws.on('error', () => ws.terminate());
    if (!Number.isInteger(version) || version < 4 || version > 8) {
      conn.close(VoiceCloseCode.BadRequest, 'unsupported version');
      return;
    }
    ws.on('message', (data, isBinary) => {
      try {
        this.#onMessage(conn, data as Buffer, isBinary);
      } catch (error) {
        this.#host.error(error as Error);
        conn.close(4000, 'internal error');
      }
    });
    const hello: Record<string, unknown> = { heartbeat_interval: this.#options.heartbeatInterval };
    if (version >= 8) hello.v = version;
    conn.sendRaw(VoiceOpcode.Hello, hello);
  }

  #onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const command = conn.receive(data, isBinary);
    if (!command) return;
    const { op, d } = command;
    if (op >= DaveOpcode.PrepareTransition && op <= DaveOpcode.InvalidCommitWelcome) {
      this.#onDave(conn, op, d, command.binary === true);
      return;
    }
    switch (op) {
      case VoiceOpcode.Heartbeat:
        conn.heartbeat(d);
        break;
      case VoiceOpcode.Identify:
      case VoiceOpcode.Resume:
        if (conn.member || conn.pending) conn.close(VoiceCloseCode.AlreadyAuthenticated, 'already');
        else if (op === VoiceOpcode.Resume) this.#host.resume(conn, d);
        else {
          this.#host.identify(conn, d).catch((error: Error) => {
            this.#host.error(error);
            conn.close(4000, 'internal error');
          });
        }
        break;
      case VoiceOpcode.SelectProtocol:
      case VoiceOpcode.Speaking:
      case VoiceOpcode.Video:
      case MEDIA_SINK_WANTS_OP: {
        const member = conn.member;
        if (!member) conn.close(VoiceCloseCode.NotAuthenticated, 'not authenticated');
        else if (op === VoiceOpcode.SelectProtocol) this.#onSelectProtocol(conn, member, d);
        else if (op === VoiceOpcode.Speaking) {
          const flags = parseSpeaking(d);
          if (flags instanceof Refusal) conn.refuse(flags);
          else member.setSpeaking(flags);
        } else if (op === VoiceOpcode.Video) {
          // Only the SSRCs Ready allocated to this member may be announced (videoPayloads.ts).
          const video = parseVideo(d, member.ssrc, member.media.video?.layers ?? []);
          if (video instanceof Refusal) conn.refuse(video);
          else member.setVideo(video);
        } else {
          const wants = parseSinkWants(d);
          if (wants instanceof Refusal) conn.refuse(wants);
          else VideoRouter.ensure(member.media).wants = wants;
        }
        break;
      }
      case CLIENT_POSITION_OP: {
        const member = conn.member;
        if (!member) conn.close(VoiceCloseCode.NotAuthenticated, 'not authenticated');
        else this.#onClientPosition(conn, member, d);
        break;
      }
      default:
        conn.close(VoiceCloseCode.UnknownOpcode, 'unknown opcode');
    }
  }

  /**
   * Client Position (op 1001): applied in a channel whose positions come from its clients (trusted mode), within the
   * channel's rate; ignored in others. Checked the same way in both, so a client learns of a bad payload either way.
   */
  #onClientPosition(conn: Connection, member: Member, d: unknown): void {
    const options = this.#host.positional(member.media.room);
    if (!conn.positionAllowed(options?.clientPositionRate ?? DEFAULT_CLIENT_POSITION_RATE)) return;
    const position = parseClientPosition(d);
    if (position instanceof Refusal) conn.refuse(position);
    else if (options?.positionSource === 'client') member.setPosition(position);
  }

  /** Select Protocol (op 1): a fresh key in the chosen mode, sent back in Session Description (op 4). */
  #onSelectProtocol(conn: Connection, member: Member, d: unknown): void {
    const webrtc = this.#options.browsers;
    if (webrtc && isWebRtcSelect(d)) {
      selectWebRtc(member, d, webrtc).then(
        (refusal) => refusal && conn.refuse(refusal),
        (error: Error) => {
          this.#host.error(error);
          conn.close(4000, 'internal error');
        },
      );
      return;
    }
    const selected = parseSelectProtocol(d, this.#options.modes);
    if (selected instanceof Refusal) return void conn.refuse(selected);
    // The member's payload types (receivers get video renumbered to them) and its preferred video codec.
    const codecs = parseCodecs((d as Record<string, unknown>).codecs);
    if (codecs instanceof Refusal) return void conn.refuse(codecs);
    let videoCodec: string | null = null;
    if (codecs) {
      const video = VideoRouter.ensure(member.media);
      video.codecs = codecTable(codecs);
      video.codec = preferredVideoCodec(codecs);
      videoCodec = video.codec;
    }
    const { mode } = selected;
    const key = generateSecretKey();
    const backend = this.#options.backend;
    member.setCipher(mode, new PacketCipher(mode, key, backend ? { backend } : {}));
    member.send(VoiceOpcode.SessionDescription, {
      mode,
      secret_key: [...key],
      audio_codec: 'opus',
      ...(videoCodec ? { video_codec: videoCodec } : {}),
      media_session_id: randomBytes(16).toString('hex'),
      dave_protocol_version: member.dave?.version ?? 0,
    });
    // After the Session Description: a DAVE client creates its session on it, then takes op 25 and proposals.
    member.dave?.described();
  }

  /**
   * DAVE commands (docs/protocol.md › DAVE): op 23 and 31 as JSON, op 26 and 28 as binary frames. A binary frame from a
   * member that did not negotiate DAVE, or one that does not parse, closes with 4002 (decode error); op 23/31 from
   * such a member are ignored (clients send them around downgrades).
   */
  #onDave(conn: Connection, op: number, d: unknown, binary: boolean): void {
    const member = conn.member;
    if (!member) return void conn.close(VoiceCloseCode.NotAuthenticated, 'not authenticated');
    const json = op === DaveOpcode.TransitionReady || op === DaveOpcode.InvalidCommitWelcome;
    const binaryOp = op === DaveOpcode.KeyPackage || op === DaveOpcode.CommitWelcome;
    if (!(json && !binary) && !(binaryOp && binary))
      return void conn.close(VoiceCloseCode.UnknownOpcode, 'unknown opcode');
    const dave = member.dave;
    if (json) {
      const transitionId = parseTransitionId(d);
      if (transitionId === null) return void conn.close(VoiceCloseCode.DecodeFailure, 'bad transition_id');
      dave?.receive(op, transitionId);
      return;
    }
    // A member whose call is at version 0 for now (a downgrade) may still have frames in flight: the group ignores them.
    if (!dave || member.maxDaveVersion < 1) return void conn.close(VoiceCloseCode.DecodeFailure, 'DAVE not negotiated');
    const malformed = dave.receive(op, d);
    if (malformed !== null) conn.close(VoiceCloseCode.DecodeFailure, `DAVE: ${malformed}`);
  }

  #onClose(conn: Connection, code: number): void {
    this.#connections.delete(conn);
    const member = conn.member;
    conn.member = null;
    // A client that said goodbye (1000/1001) leaves; anything else may come back with Resume for a while.
    member?.disconnected(conn, !conn.closing && (code === 1000 || code === 1001), this.#options.resumeTimeout);
  }

  #sweep(): void {
    const now = Date.now();
    const deadline = now - this.#options.heartbeatInterval * 1.5;
    const identifyBy = now - this.#options.identifyTimeout;
    for (const conn of this.#connections) {
      if (conn.closing) continue;
      // As the main gateway: heartbeats keep a connection open, not an unidentified one (an authorize hook still
      // running counts as not identified: it must not hold the connection forever either).
      if (!conn.member && conn.openedAt < identifyBy) conn.close(VoiceCloseCode.SessionTimeout, 'identify timed out');
      else if (conn.lastSeen < deadline) conn.close(VoiceCloseCode.SessionTimeout, 'timed out');
    }
  }
}
