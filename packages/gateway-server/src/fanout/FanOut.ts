import type { BrokerMessage, DispatchTarget, StreamPosition } from '../Broker.js';
import { splicedBody } from '../brokers/brokerCodec.js';
import type { Directory } from '../Directory.js';
import { carriesMessageContent, mayReadContent } from '../eventIntents.js';
import { isThenable } from '../isThenable.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { TopicCursors } from '../resume/TopicCursors.js';
import type { LiveSession } from '../session/LiveSession.js';
import type { SessionRegistry } from '../session/SessionRegistry.js';
import { shardOf } from '../shardOf.js';
import type { GatewayMetrics } from '../types.js';
import { GatewayIntentBits } from '../wire/protocol.js';

/** The rule's answer for one session: not for it, or for it with or without message content. */
const NOT_FOR_IT = 0;
const STRIPPED = 1;
const FULL = 2;
type Verdict = typeof NOT_FOR_IT | typeof STRIPPED | typeof FULL;
/** For an event carrying message content: where its payload is read from (the dispatch, parsed once); else null. */
type Gated = { readonly data: unknown } | null;

/** What fan-out needs besides the session index. */
export interface FanOutContext {
  readonly registry: SessionRegistry;
  readonly directory: Directory;
  readonly metrics: GatewayMetrics | undefined;
  /** With a resume store: the topic cursors, moved past each message once its deliveries are decided. */
  readonly cursors: TopicCursors | undefined;
  /** The server closed: messages still arriving are dropped. */
  closed(): boolean;
  /** One recipient's delivery failed (its directory call, its encoding…); the others go on. */
  deliveryFailed(event: string, session: LiveSession, error: unknown): void;
}

/**
 * Who receives what: the one rule deciding whether a session of this node gets a dispatch (its target, the
 * session's intents and shard, channel visibility, message content), used both for live delivery from the broker and
 * for the topic history a session resumed from the store catches up on.
 */
export class FanOut {
  readonly #context: FanOutContext;

  constructor(context: FanOutContext) {
    this.#context = context;
  }

  /** The broker listener of every topic this node subscribes to. */
  readonly listener = (message: BrokerMessage): void => {
    const context = this.#context;
    if (context.closed()) return;
    const undecided = this.deliver(message);
    if (message.position !== undefined && context.cursors !== undefined) {
      context.cursors.advance(message.position, undecided);
    }
  };

  /**
   * Delivers a broker message to every session of this node it is for. Returns, with a resume store, the deliveries
   * still waiting on an async directory (the topic's cursors must not pass the message before they are decided).
   */
  deliver(message: BrokerMessage): Promise<unknown>[] | undefined {
    const { registry, metrics } = this.#context;
    // A message decoded from the bus (v2) brings `d` already encoded: its bytes are spliced into the JSON frames.
    const body = splicedBody(message);
    const dispatch =
      body !== undefined
        ? PreparedDispatch.spliced(message.event, body, message.createdAt)
        : new PreparedDispatch(message.event, message.data, message.createdAt);
    const target = message.target;
    const gated = carriesMessageContent(message.event) ? dispatch : null;
    let recipients = 0;
    let undecided: Promise<unknown>[] | undefined;
    // The index gives the sessions listening to the target's topic; the rule then decides each of them.
    switch (target.type) {
      case 'guild':
      case 'channel': {
        const sessions = registry.inGuild(target.guildId);
        const viewers = target.type === 'channel' && sessions ? this.#viewers(target.guildId, target.channelId) : null;
        if (sessions && viewers) {
          // A hidden channel whose few viewers the directory names: only their sessions in this guild are asked.
          for (const userId of viewers) {
            const own = registry.ofUser(userId);
            if (!own) continue;
            for (const session of own) {
              if (!sessions.has(session)) continue;
              const verdict = this.#tryDecide(session, message, gated, true);
              if (verdict === NOT_FOR_IT) continue;
              recipients += this.#deliverTo(session, dispatch, verdict as Verdict, message);
            }
          }
        } else if (sessions) {
          // A channel every member sees needs no per-recipient visibility check: the guild's sessions are its members.
          const open = target.type === 'channel' && this.#openChannel(target.guildId, target.channelId);
          for (const session of sessions) {
            const verdict = this.#tryDecide(session, message, gated, open);
            if (verdict === NOT_FOR_IT) continue;
            if (typeof verdict === 'number') recipients += this.#deliverTo(session, dispatch, verdict, message);
            else if (this.#context.cursors !== undefined && message.position !== undefined) {
              undecided ??= [];
              undecided.push(this.#later(session, dispatch, verdict, message));
            } else void this.#later(session, dispatch, verdict, message);
          }
        }
        break;
      }
      case 'users': {
        for (const userId of target.userIds) {
          const sessions = registry.ofUser(userId);
          if (!sessions) continue;
          for (const session of sessions) {
            const verdict = this.#tryDecide(session, message, gated);
            if (verdict !== NOT_FOR_IT) recipients += this.#deliverTo(session, dispatch, verdict as Verdict, message);
          }
        }
        break;
      }
      case 'session': {
        const session = registry.get(target.sessionId);
        if (session) {
          const verdict = this.#tryDecide(session, message, gated);
          if (verdict !== NOT_FOR_IT) recipients += this.#deliverTo(session, dispatch, verdict as Verdict, message);
        }
        break;
      }
    }
    if (metrics) {
      metrics.dispatch(message.event, recipients);
      metrics.fanoutLatency((Date.now() - message.createdAt) / 1000);
    }
    return undecided;
  }

  /**
   * Whether a message from a topic history is for this session, as live delivery decides it: null = not for it, else
   * whether it may read the content.
   */
  async wants(session: LiveSession, message: BrokerMessage): Promise<boolean | null> {
    if (!listens(session, message.target)) return null;
    const verdict = await this.#decide(session, message, carriesMessageContent(message.event) ? message : null);
    return verdict === NOT_FOR_IT ? null : verdict === FULL;
  }

  /**
   * The rule, for a session listening to the message's topic. A promise when channel visibility is up to an async
   * directory (sync ones, the default, keep the order of dispatches; async ones cost it).
   */
  #decide(session: LiveSession, message: BrokerMessage, gated: Gated, open = false): Verdict | Promise<Verdict> {
    if (session.destroyed) return NOT_FOR_IT;
    const intent = message.intent;
    if (intent !== null && (session.intents & intent) === 0) return NOT_FOR_IT;
    const target = message.target;
    if (target.type === 'users') {
      // A user's sessions get it on the shard holding the guild it is about; without a guild, on shard 0 (DMs).
      const shard = target.guildId === undefined ? 0 : shardOf(target.guildId, session.shard[1]);
      if (session.shard[0] !== shard) return NOT_FOR_IT;
    } else if (target.type === 'channel' && !open) {
      const visible = this.#context.directory.canView(session.userId, target.guildId, target.channelId);
      if (isThenable(visible)) {
        return Promise.resolve(visible).then((ok) => (ok ? content(session, gated) : NOT_FOR_IT));
      }
      if (!visible) return NOT_FOR_IT;
    }
    return content(session, gated);
  }

  /** {@link FanOut.#decide} for live delivery: a throwing directory fails this recipient only. */
  #tryDecide(session: LiveSession, message: BrokerMessage, gated: Gated, open = false): Verdict | Promise<Verdict> {
    try {
      return this.#decide(session, message, gated, open);
    } catch (error) {
      this.#context.deliveryFailed(message.event, session, error);
      return NOT_FOR_IT;
    }
  }

  /** The directory's `channelViewers`, once per message; a throwing or absent one means: check every recipient. */
  #viewers(guildId: string, channelId: string): readonly string[] | null {
    const directory = this.#context.directory;
    if (directory.channelViewers === undefined) return null;
    try {
      return directory.channelViewers(guildId, channelId) ?? null;
    } catch {
      return null;
    }
  }

  /** The directory's `everyMemberCanView`, once per message; a throwing or absent one means: check every recipient. */
  #openChannel(guildId: string, channelId: string): boolean {
    const directory = this.#context.directory;
    if (directory.everyMemberCanView === undefined) return false;
    try {
      return directory.everyMemberCanView(guildId, channelId) === true;
    } catch {
      return false;
    }
  }

  /** A delivery decided by an async directory; a failed lookup delivers nothing (as a refused one). */
  #later(session: LiveSession, dispatch: PreparedDispatch, verdict: Promise<Verdict>, message: BrokerMessage) {
    return verdict.then(
      (decided) => {
        if (decided !== NOT_FOR_IT) this.#deliverTo(session, dispatch, decided, message);
      },
      () => undefined,
    );
  }

  /** Hands a dispatch to one session; returns 1 when it took it. */
  #deliverTo(session: LiveSession, dispatch: PreparedDispatch, verdict: Verdict, message: BrokerMessage): number {
    if (session.destroyed) return 0;
    const position: StreamPosition | undefined = message.position;
    if (position !== undefined && session.catchUp !== null && session.alreadySent(position)) return 0;
    // Per recipient: whatever fails for one session (its encoding, its journal) must not stop the others.
    try {
      // A session resuming here waits for its gap to be filled from the topic history first.
      if (session.pending !== null) session.pending.push({ dispatch, full: verdict === FULL, position });
      else session.send(dispatch, verdict === FULL, position);
      return 1;
    } catch (error) {
      this.#context.deliveryFailed(message.event, session, error);
      return 0;
    }
  }
}

/** Whether the session listens to the target's topic: the index lookup of live delivery, for one session. */
function listens(session: LiveSession, target: DispatchTarget): boolean {
  switch (target.type) {
    case 'guild':
    case 'channel':
      return session.guilds.has(target.guildId);
    case 'users':
      return target.userIds.includes(session.userId);
    case 'session':
      return target.sessionId === session.sessionId;
  }
}

/**
 * Message content is for sessions allowed to read it (MESSAGE_CONTENT, or a message that mentions them…). The intent
 * is checked before `data` is read: a spliced message is parsed only for a session without it.
 */
function content(session: LiveSession, gated: Gated): Verdict {
  if (gated === null || (session.intents & GatewayIntentBits.MessageContent) !== 0) return FULL;
  return mayReadContent(gated.data, session.userId, session.intents) ? FULL : STRIPPED;
}
