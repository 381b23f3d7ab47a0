// The voice gateway (Discord's voice WebSocket, v8) as the browser speaks it: Hello → heartbeats carrying the last
// sequence number seen (`seq_ack`), Identify with what VOICE_SERVER_UPDATE and VOICE_STATE_UPDATE gave, then every
// message handed to the session (Ready, Session Description, Speaking, Clients Connect/Disconnect, Video). Binary
// frames (DAVE) are not asked for: Identify says max_dave_protocol_version 0. A voice channel's connection and a Go Live
// stream's (a second connection, to the stream's room) speak it alike.

import { VoiceOpcode } from '@concord/protocol';

/** Voice gateway opcodes (docs/protocol.md), under the name the page's voice files use. */
export const VoiceOp = VoiceOpcode;

export interface VoiceIdentity {
  /** VOICE_SERVER_UPDATE's endpoint: host:port (no scheme) or a ws(s):// URL. */
  endpoint: string;
  token: string;
  /** Identify's `server_id`: the guild for a voice channel, STREAM_CREATE's `rtc_server_id` for a stream. */
  serverId: string;
  userId: string;
  sessionId: string;
}

/** The voice gateway closed the connection (or it could not open). */
export class VoiceGatewayClosedError extends Error {
  readonly code = 'VOICE_GATEWAY_CLOSED';
  constructor(readonly closeCode: number) {
    super(`the voice connection closed (${closeCode})`);
  }
}

/** The WebSocket URL for an endpoint: a page served over https needs wss. */
export function voiceUrl(endpoint: string): string {
  if (/^wss?:\/\//.test(endpoint)) return `${endpoint.replace(/\/?(\?.*)?$/, '')}/?v=8`;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${endpoint}/?v=8`;
}

// biome-ignore lint/suspicious/noExplicitAny: voice payloads are read field by field, as the server sends them.
export type VoiceMessageHandler = (op: number, d: any) => void;

export class VoiceGatewaySocket {
  readonly #ws: WebSocket;
  #seq = -1;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closedByUs = false;

  constructor(
    identity: VoiceIdentity,
    extra: Record<string, unknown>,
    onMessage: VoiceMessageHandler,
    onClose: (error: VoiceGatewayClosedError | null) => void,
  ) {
    this.#ws = new WebSocket(voiceUrl(identity.endpoint));
    this.#ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const payload = JSON.parse(event.data) as { op: number; d: unknown; seq?: number };
      if (typeof payload.seq === 'number') this.#seq = payload.seq;
      if (payload.op === VoiceOp.Hello) {
        const { heartbeat_interval: every } = payload.d as { heartbeat_interval: number };
        this.#heartbeat = setInterval(() => this.send(VoiceOp.Heartbeat, { t: Date.now(), seq_ack: this.#seq }), every);
        this.send(VoiceOp.Identify, {
          server_id: identity.serverId,
          user_id: identity.userId,
          session_id: identity.sessionId,
          token: identity.token,
          max_dave_protocol_version: 0,
          ...extra,
        });
        return;
      }
      if (payload.op === VoiceOp.HeartbeatAck) return;
      onMessage(payload.op, payload.d);
    });
    this.#ws.addEventListener('close', (event) => {
      clearInterval(this.#heartbeat);
      onClose(this.#closedByUs ? null : new VoiceGatewayClosedError(event.code));
    });
  }

  send(op: number, d: unknown): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ op, d }));
  }

  /** Leaves: 1000, so the server ends the session at once instead of keeping it for a resume. */
  close(): void {
    this.#closedByUs = true;
    clearInterval(this.#heartbeat);
    this.#ws.close(1000);
  }
}
