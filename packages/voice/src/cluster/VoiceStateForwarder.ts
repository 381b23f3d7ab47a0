import type { VoiceStateNotice } from '../server/VoiceGatewayContract.js';
import { postVoiceStateNotice, voiceStateUrl } from './postVoiceStateNotice.js';
import { signVoiceStateNotice } from './voiceStateNotice.js';

/** How a notice reaches a node (the HTTP POST by default; tests and other transports replace it). */
export type NoticePoster = (
  url: string,
  notice: { body: string; signature: string },
  timeoutMs: number,
) => Promise<void>;

export interface VoiceStateForwarderOptions {
  secret: string | Uint8Array;
  timeoutMs: number;
  /** Wait before the one retry of a notice that failed, ms. */
  retryMs: number;
  post?: NoticePoster;
  onError: (error: Error) => void;
}

interface Told {
  state: VoiceStateNotice;
  /** Health URL of the node last told this user's state (null: its channel has no node yet). */
  node: string | null;
}

/**
 * Carries the gateway's voice states (server mute, deafen, suppress) to the voice node holding each user's channel, so
 * that a cluster enforces them on the media plane as a single voice server does. A state may come before the
 * channel has a node (the join's own state comes before its allocation): it is kept and sent once the channel is
 * placed, and again to the new node when the channel moves. A node that stops carrying a user is told it left.
 */
export class VoiceStateForwarder {
  readonly #options: VoiceStateForwarderOptions;
  readonly #post: NoticePoster;
  readonly #users = new Map<string, Told>();
  #lastSentAt = 0;
  #closed = false;

  public constructor(options: VoiceStateForwarderOptions) {
    this.#options = options;
    this.#post = options.post ?? postVoiceStateNotice;
  }

  /** A user's new state; `nodeUrl` is the health URL of the node its channel is on (null: none yet). */
  public changed(state: VoiceStateNotice, nodeUrl: string | null): void {
    const key = `${state.guildId}:${state.userId}`;
    const told = this.#users.get(key);
    if (state.channelId === null) {
      this.#users.delete(key);
      if (told?.node) this.#send(told.node, state);
      return;
    }
    const entry: Told = { state, node: told?.node ?? null };
    this.#users.set(key, entry);
    if (nodeUrl !== null) this.#moveTo(entry, nodeUrl);
  }

  /** The user's channel is on `nodeUrl` now (an allocation): that node learns the user's state if it had not. */
  public placed(guildId: string, userId: string, channelId: string, nodeUrl: string): void {
    const entry = this.#users.get(`${guildId}:${userId}`);
    if (!entry || entry.state.channelId !== channelId || entry.node === nodeUrl) return;
    this.#moveTo(entry, nodeUrl);
  }

  public close(): void {
    this.#closed = true;
    this.#users.clear();
  }

  #moveTo(entry: Told, nodeUrl: string): void {
    // The node that carried the user before forgets its state (it would otherwise apply it at a later rejoin there).
    if (entry.node !== null && entry.node !== nodeUrl) this.#send(entry.node, { ...entry.state, channelId: null });
    entry.node = nodeUrl;
    this.#send(nodeUrl, entry.state);
  }

  #send(nodeUrl: string, state: VoiceStateNotice): void {
    if (this.#closed) return;
    // Strictly increasing, so that a node keeps the last of two notices sent within one millisecond.
    const sentAt = Math.max(Date.now(), this.#lastSentAt + 1);
    this.#lastSentAt = sentAt;
    const signed = signVoiceStateNotice(this.#options.secret, { state, sentAt });
    const url = voiceStateUrl(nodeUrl);
    const { timeoutMs, retryMs, onError } = this.#options;
    this.#post(url, signed, timeoutMs).catch(() => {
      if (this.#closed) return;
      // One retry (the node may be restarting): a later notice for the user supersedes this one on the node anyway.
      setTimeout(() => {
        if (!this.#closed) this.#post(url, signed, timeoutMs).catch(onError);
      }, retryMs).unref();
    });
  }
}
