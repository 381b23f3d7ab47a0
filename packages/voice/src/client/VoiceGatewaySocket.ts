import { VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { WebSocket } from 'ws';
import type { ServerData } from './clientPayloads.js';

export interface VoiceGatewaySocketEvents {
  open: [];
  /** One server payload (`d` is `{}` when the server sent none). Resumed (op 9) included. */
  payload: [op: number, d: ServerData];
  close: [code: number];
}

export interface VoiceGatewaySocketOptions {
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Gateway version: from 8 on, heartbeats carry `seq_ack`. */
  version: number;
  /** The `seq_ack` to start from: -1 for a new session, the previous socket's for a resume. */
  seqAck: number;
}

/**
 * One WebSocket to the voice gateway: JSON framing, the sequence number to acknowledge, and the heartbeat. Each
 * connection phase that talks to the gateway holds one; a resume opens a new one that carries `seqAck` on.
 */
export class VoiceGatewaySocket extends EventEmitter<VoiceGatewaySocketEvents> {
  /** Newest `seq` the server sent (on this socket or the ones it follows); heartbeats and Resume acknowledge it. */
  public seqAck: number;
  /** The code this socket closed with; undefined while it is open. */
  public closeCode: number | undefined;
  private readonly ws: WebSocket;
  private readonly version: number;
  private heartbeat: NodeJS.Timeout | undefined;

  public constructor(url: string, options: VoiceGatewaySocketOptions) {
    super();
    this.seqAck = options.seqAck;
    this.version = options.version;
    const ws = new WebSocket(url, options.tls ?? {});
    this.ws = ws;
    ws.on('error', () => {
      // A close event follows every error; the owner decides there between resuming and failing.
    });
    ws.on('open', () => this.emit('open'));
    ws.on('close', (code) => {
      this.stopHeartbeat();
      this.closeCode = code;
      this.emit('close', code);
    });
    ws.on('message', (data) => {
      let payload: { op: number; d: ServerData | null; seq?: number };
      try {
        payload = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof payload.seq === 'number') this.seqAck = payload.seq;
      this.emit('payload', payload.op, payload.d ?? {});
    });
  }

  /** Sends one command; dropped while the socket is not open (as a heartbeat due during a reconnect would be). */
  public send(op: number, d: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  /** Heartbeats every `intervalMs` (as Hello asks) until the socket closes; a second Hello restarts the beat. */
  public startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      const t = Date.now();
      this.send(VoiceOpcode.Heartbeat, this.version >= 8 ? { t, seq_ack: this.seqAck } : t);
    }, intervalMs);
    this.heartbeat.unref();
  }

  /** Cuts the TCP connection without a close frame, as a network failure would (the close code is 1006). */
  public terminate(): void {
    this.ws.terminate();
  }

  /**
   * Leaves: close 1000 when open (the server ends the session at once), otherwise drops the connection. `close` is
   * still emitted when it is done, to whoever listens then.
   */
  public destroy(): void {
    this.stopHeartbeat();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    else this.ws.terminate();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
