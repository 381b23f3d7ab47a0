import type { StreamPosition } from '../Broker.js';
import type { LiveSession } from '../session/LiveSession.js';
import type { SessionJournal } from './SessionJournal.js';

/**
 * Moves the journal's per-topic cursors of this node's sessions past each message the broker delivered: every
 * session listening to the topic has accounted for it (delivered or filtered). A message whose deliveries wait on an
 * async directory holds the topic's later advances until they are decided.
 */
export class TopicCursors {
  readonly #journal: SessionJournal<LiveSession>;
  readonly #listening: (topic: string) => Iterable<LiveSession> | undefined;
  /** Per topic, cursor advances waiting for deliveries an async directory has not decided yet. */
  readonly #holds = new Map<string, Promise<void>>();

  constructor(journal: SessionJournal<LiveSession>, listening: (topic: string) => Iterable<LiveSession> | undefined) {
    this.#journal = journal;
    this.#listening = listening;
  }

  advance(position: StreamPosition, undecided: Promise<unknown>[] | undefined): void {
    const { topic, id } = position;
    this.#journal.seen(topic, id);
    // Once a message of the topic waits on an async directory, the topic's later advances queue behind it: a cursor
    // passes a message only when every delivery of it is journaled (or refused).
    const held = this.#holds.get(topic);
    if (undecided !== undefined || held !== undefined) {
      const decided = undecided && Promise.all(undecided);
      const next = (held ?? Promise.resolve()).then(() => decided).then(() => this.#advanceListeners(topic, id));
      this.#holds.set(topic, next);
      void next.finally(() => {
        if (this.#holds.get(topic) === next) this.#holds.delete(topic);
      });
      return;
    }
    this.#advanceListeners(topic, id);
  }

  #advanceListeners(topic: string, id: string): void {
    const sessions = this.#listening(topic);
    if (!sessions) return;
    for (const session of sessions) {
      if (session.pending === null && !session.destroyed) this.#journal.advance(session, topic, id);
    }
  }
}
