import { type Encoding, GatewayOpcodes } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { ConnectionController } from './connection/ConnectionController.js';
import { GatewayClientError } from './GatewayClientError.js';
import { defaultGatewayConnectionOptions, type GatewayConnectionOptions } from './GatewayConnectionOptions.js';
import type {
  ConnectionStatus,
  GatewayConnectionEvents,
  GuildMembersResult,
  PresenceData,
  SessionInfo,
} from './types.js';

/**
 * One gateway connection (one shard): Hello → Identify/Resume, heartbeats with zombie detection, reconnects with
 * backoff, resume with exactly-once dispatch delivery, a rate-limited send queue. Works in Node and browsers.
 *
 * This class is the public face (options, lifecycle, commands, typed events). The work is in `connection/`:
 * `ConnectionController` (the state that outlives a socket and what happens next), `ShardSocket` (one WebSocket and
 * its `FrameDecoder`), `inboundOpHandlers` (what each opcode does), `Heartbeat` and `GuildMemberRequests`.
 */
export class GatewayConnection extends EventEmitter<GatewayConnectionEvents> {
  readonly shardId: number;
  readonly encoding: Encoding;
  readonly #controller: ConnectionController;

  constructor(options: GatewayConnectionOptions) {
    super();
    if (typeof options.token !== 'string' || options.token.length === 0) {
      throw new GatewayClientError('INVALID_OPTIONS', 'token is required');
    }
    if (!Number.isInteger(options.intents) || options.intents < 0) {
      throw new GatewayClientError('INVALID_OPTIONS', 'intents must be a non-negative integer');
    }
    const controller = new ConnectionController(options, this);
    if (options.compression === 'payload' && controller.encoding.name !== 'json') {
      throw new GatewayClientError('INVALID_OPTIONS', 'payload compression (compress: true) is JSON only');
    }
    this.#controller = controller;
    this.encoding = controller.encoding;
    this.shardId = controller.shardId;
  }

  get status(): ConnectionStatus {
    return this.#controller.status;
  }

  /** The resumable session, if any (a copy). */
  get session(): SessionInfo | null {
    return this.#controller.session;
  }

  /** Last dispatch sequence number seen (null before the first dispatch of a session). */
  get sequence(): number | null {
    return this.#controller.sequence;
  }

  /** Last heartbeat round trip in ms, -1 before the first ACK. */
  get latency(): number {
    return this.#controller.heartbeat.latency;
  }

  /**
   * Opens the connection; resolves on READY or RESUMED. Rejects with `GatewayCloseError` on a fatal close code,
   * `UNSUPPORTED_COMPRESSION`, `GATEWAY_BOT_FAILED` or `DESTROYED`. Reconnects happen by themselves afterwards.
   */
  connect(): Promise<void> {
    return this.#controller.connect();
  }

  /**
   * Closes for good. By default with 1000, which ends the session; `keepSession: true` closes with 4000 instead so
   * the session stays resumable (persist `session` and pass it to the next process).
   */
  destroy(options: { keepSession?: boolean } = {}): void {
    this.#controller.destroy(Boolean(options.keepSession));
  }

  /** Queues a command (rate limited; held while not ready). Resolves once written to the socket. */
  send(payload: { op: number; d: unknown }): Promise<void> {
    const controller = this.#controller;
    if (controller.status === 'destroyed') {
      return Promise.reject(new GatewayClientError('DESTROYED', 'connection destroyed'));
    }
    return controller.queue.enqueue(() => controller.write({ op: payload.op, d: payload.d }));
  }

  /** op 3; also used by the next Identify. */
  setPresence(presence: PresenceData): Promise<void> {
    this.#controller.options.presence = presence;
    return this.send({ op: GatewayOpcodes.PresenceUpdate, d: presence });
  }

  /** op 4: join (`channelId`), move or leave (`null`) a voice channel. */
  updateVoiceState(state: {
    guild_id: string;
    channel_id: string | null;
    self_mute?: boolean;
    self_deaf?: boolean;
  }): Promise<void> {
    return this.send({
      op: GatewayOpcodes.VoiceStateUpdate,
      d: {
        guild_id: state.guild_id,
        channel_id: state.channel_id,
        self_mute: state.self_mute ?? false,
        self_deaf: state.self_deaf ?? false,
      },
    });
  }

  /**
   * op 8, with the GUILD_MEMBERS_CHUNK answers collected (by nonce) into one result. Rejects with `TIMEOUT` when not
   * all chunks came within `timeout` ms, `GatewayRateLimitError` on a RATE_LIMITED answer.
   */
  requestGuildMembers<M = unknown, P = unknown>(
    request: { guild_id: string; query?: string; limit?: number; presences?: boolean; user_ids?: string[] },
    options: { timeout?: number } = {},
  ): Promise<GuildMembersResult<M, P>> {
    const requests = this.#controller.memberRequests;
    const nonce = requests.nextNonce();
    const timeout =
      options.timeout ?? this.#controller.options.requestTimeout ?? defaultGatewayConnectionOptions.requestTimeout;
    const d: Record<string, unknown> = { guild_id: request.guild_id, limit: request.limit ?? 0, nonce };
    if (request.user_ids !== undefined) d.user_ids = request.user_ids;
    else d.query = request.query ?? '';
    if (request.presences !== undefined) d.presences = request.presences;
    const result = requests.collect<M, P>(nonce, request.guild_id, timeout);
    this.send({ op: GatewayOpcodes.RequestGuildMembers, d }).catch((error: Error) => requests.fail(nonce, error));
    return result;
  }
}
