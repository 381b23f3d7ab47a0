import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { WebSocket } from 'ws';
import { CLIENT_POSITION_OP, POSITION_FLOOD_FACTOR } from '../spatial/clientPosition.js';
import type { Member, MemberLink } from './Member.js';
import { decodeCommand, parseHeartbeat, Refusal } from './payloads.js';

/** Close codes after which the session is gone (a resume would get 4006). */
const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  VoiceCloseCode.AuthenticationFailed,
  VoiceCloseCode.SessionNoLongerValid,
  VoiceCloseCode.SessionTimeout,
  VoiceCloseCode.Disconnected,
  VoiceCloseCode.CallTerminated,
  VoiceCloseCode.UnknownProtocol,
  VoiceCloseCode.UnknownEncryptionMode,
]);

/**
 * One voice gateway WebSocket: decoding, the per-connection command rate limit, heartbeats, liveness, and closing.
 * It carries at most one member (after Identify or Resume); the member outlives it while it may resume.
 */
export class Connection implements MemberLink {
  public readonly version: number;
  public readonly openedAt: number;
  /** The member this socket carries, once identified or resumed. */
  public member: Member | null = null;
  /** An Identify is being authorized (a second one, or a Resume, is refused meanwhile). */
  public pending = false;
  readonly #ws: WebSocket;
  readonly #rateLimit: { commands: number; windowMs: number };
  #lastSeen: number;
  #windowStart: number;
  #commands = 0;
  #positionWindowStart = 0;
  #positions = 0;
  #closing = false;

  public constructor(ws: WebSocket, version: number, rateLimit: { commands: number; windowMs: number }) {
    const now = Date.now();
    this.#ws = ws;
    this.version = version;
    this.openedAt = now;
    this.#lastSeen = now;
    this.#windowStart = now;
    this.#rateLimit = rateLimit;
  }

  public get closing(): boolean {
    return this.#closing;
  }

  /** When the last frame arrived (ms since epoch). */
  public get lastSeen(): number {
    return this.#lastSeen;
  }

  public get writable(): boolean {
    return !this.#closing && this.#ws.readyState === WebSocket.OPEN;
  }

  public sendText(text: string): void {
    this.#ws.send(text);
  }

  public sendBinary(frame: Buffer): void {
    this.#ws.send(frame, { binary: true });
  }

  /** Sends an unnumbered message (Hello, heartbeat ACK, Resumed, or anything before a member exists). */
  public sendRaw(op: number, d: unknown): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ op, d }));
  }

  /**
   * A frame arrived: returns the command, or null when it closed the connection (undecodable, or over the rate
   * limit) or the connection is already closing.
   */
  public receive(
    data: Buffer | ArrayBuffer | Buffer[],
    isBinary: boolean,
  ): { op: number; d: unknown; binary?: true } | null {
    if (this.#closing) return null;
    const now = Date.now();
    this.#lastSeen = now;
    const command = decodeCommand(data, isBinary);
    if (command instanceof Refusal) return this.refuse(command);
    if (now - this.#windowStart >= this.#rateLimit.windowMs) {
      this.#windowStart = now;
      this.#commands = 0;
    }
    // Client positions (trusted mode) come at a game's tick rate, far past the command budget: they have their own.
    if (command.op !== CLIENT_POSITION_OP && ++this.#commands > this.#rateLimit.commands)
      return this.refuse(new Refusal(VoiceCloseCode.RateLimited, 'rate limited'));
    return command;
  }

  /**
   * Counts a Client Position (op 1001) against `perSecond`: true when it may be applied, false when it is dropped.
   * `POSITION_FLOOD_FACTOR` times the budget within one second closes the connection (4021), as the command limit does.
   */
  public positionAllowed(perSecond: number): boolean {
    const now = this.#lastSeen;
    if (now - this.#positionWindowStart >= 1000) {
      this.#positionWindowStart = now;
      this.#positions = 0;
    }
    const count = ++this.#positions;
    if (count > perSecond * POSITION_FLOOD_FACTOR) {
      this.refuse(new Refusal(VoiceCloseCode.RateLimited, 'rate limited'));
      return false;
    }
    return count <= perSecond;
  }

  /** Heartbeat (op 3): acknowledged with the client's nonce; v8's `seq_ack` releases the member's kept messages. */
  public heartbeat(d: unknown): void {
    const beat = parseHeartbeat(d);
    if (this.member && beat.seqAck !== null) this.member.acknowledge(beat.seqAck);
    this.sendRaw(VoiceOpcode.HeartbeatAck, this.version >= 8 ? { t: beat.nonce } : beat.legacy);
  }

  /** Closes with the refusal's code and reason; returns null so that handlers can `return conn.refuse(…)`. */
  public refuse(refusal: Refusal): null {
    this.close(refusal.code, refusal.reason);
    return null;
  }

  public drop(code: number, reason: string): void {
    this.member = null;
    this.close(code, reason);
  }

  /** Closes the socket; a terminal code (see TERMINAL_CLOSE_CODES) also ends the member it carries. Idempotent. */
  public close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    const member = this.member;
    if (member && TERMINAL_CLOSE_CODES.has(code)) member.close(null, reason);
    try {
      this.#ws.close(code, reason.slice(0, 120));
    } catch {
      this.#ws.terminate();
    }
  }

  public terminate(): void {
    this.#ws.terminate();
  }
}
