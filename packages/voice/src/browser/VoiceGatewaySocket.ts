// The voice gateway (Discord's voice WebSocket, v8) as a browser speaks it: Hello → heartbeats carrying the last
// sequence number seen (`seq_ack`), Identify with what VOICE_SERVER_UPDATE and VOICE_STATE_UPDATE gave, then every
// message handed to the owner (Ready, Session Description, Speaking, Clients Connect/Disconnect, Video). Binary
// frames (DAVE) are not asked for: Identify says max_dave_protocol_version 0. A voice channel's connection and a Go Live
// stream's (a second connection, to the stream's room) speak it alike.
import { VoiceOpcode } from '@concord/protocol';
import { VoiceGatewayClosedError } from './VoiceGatewayClosedError.js';
import { voiceUrl } from './voiceUrl.js';

/** What the voice gateway's Identify needs: VOICE_SERVER_UPDATE's endpoint and token, VOICE_STATE_UPDATE's session. */
export interface VoiceIdentity {
  /** VOICE_SERVER_UPDATE's endpoint: host:port (no scheme) or a ws(s):// URL. */
  endpoint: string;
  token: string;
  /** Identify's `server_id`: the guild for a voice channel, STREAM_CREATE's `rtc_server_id` for a stream. */
  serverId: string;
  userId: string;
  sessionId: string;
}

// biome-ignore lint/suspicious/noExplicitAny: voice payloads are read field by field, as the server sends them.
export type VoiceMessageHandler = (op: number, d: any) => void;

/** One voice gateway connection: identifies and heartbeats by itself, hands every other message to its owner. */
export class VoiceGatewaySocket {
  readonly #ws: WebSocket;
  #seq = -1;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closedByUs = false;

  /**
   * `extra` goes into Identify as it is (`video`, `streams`); `onClose` gets null when {@link close} ended it, the
   * error otherwise.
   */
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
      if (payload.op === VoiceOpcode.Hello) {
        const { heartbeat_interval: every } = payload.d as { heartbeat_interval: number };
        this.#heartbeat = setInterval(
          () => this.send(VoiceOpcode.Heartbeat, { t: Date.now(), seq_ack: this.#seq }),
          every,
        );
        this.send(VoiceOpcode.Identify, {
          server_id: identity.serverId,
          user_id: identity.userId,
          session_id: identity.sessionId,
          token: identity.token,
          max_dave_protocol_version: 0,
          ...extra,
        });
        return;
      }
      if (payload.op === VoiceOpcode.HeartbeatAck) return;
      onMessage(payload.op, payload.d);
    });
    this.#ws.addEventListener('close', (event) => {
      clearInterval(this.#heartbeat);
      onClose(this.#closedByUs ? null : new VoiceGatewayClosedError(event.code));
    });
  }

  /** Sends one command; dropped while the socket is not open (a command for a connection that is gone). */
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
