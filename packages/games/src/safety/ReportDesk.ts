import type { Community } from '@concord/guilds';
import type { EntityStore } from '@concord/storage-adapters/entities';
import type { FilteredEvidence, TextSafety } from './TextSafety.js';

/** A short window of a player's voice, as the voice server kept it for evidence (opt-in per channel). */
export interface AudioClip {
  userId: string;
  /** Start of the window, Unix ms. */
  from: number;
  to: number;
  /** Ogg Opus, playable as it is by a moderator's browser or player. */
  ogg: Uint8Array;
}

/** Where audio evidence comes from: `@concord/voice`'s VoiceServer (`evidenceClip`) satisfies it. */
export interface AudioEvidenceSource {
  evidenceClip(userId: string, seconds: number): AudioClip | null;
}

/** A message as the report saw it when it was filed (its text kept even if it is deleted later). */
export interface ReportedMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  timestamp: string;
}

export interface GameReport {
  id: string;
  /** Unix ms. */
  at: number;
  reporterId: string;
  targetId: string;
  reason: string;
  channelId: string | null;
  evidence: {
    /** The messages the reporter pointed at, and the target's latest in the channel. */
    messages: ReportedMessage[];
    /** What the text filter masked, flagged or refused of the target's messages. */
    filtered: FilteredEvidence[];
    /** The target's last seconds of voice, base64 Ogg Opus, when asked for and kept. */
    audio: { from: number; to: number; oggBase64: string } | null;
  };
  status: 'open' | 'resolved';
  resolution: { by: string; outcome: string; at: number } | null;
}

/** What {@link ReportDesk.file} takes. */
export interface FileReport {
  reporterId: string;
  targetId: string;
  reason: string;
  /** Where it happened: the target's latest messages there are kept (up to 25). */
  channelId?: string;
  /** Messages the reporter points at (up to 25), in `channelId`. */
  messageIds?: readonly string[];
  /** Keep the target's last `audioSeconds` of voice (the channel must have evidence recording on). */
  includeAudio?: boolean;
  audioSeconds?: number;
}

const KIND = 'game-report';
const MAX_POINTED = 25;
const RECENT = 25;
const MAX_REASON = 1000;
const MAX_SNOWFLAKE = '18446744073709551615';

/**
 * Player reports with their evidence, for moderators: the messages pointed at and the target's latest in the channel
 * (read as the game's service user when the report is filed, so a later deletion does not erase them), what the text
 * filter caught of the target, and, opt-in, the target's last seconds of voice. Stored in an entity store (kind
 * `game-report`, one partition per game guild), listed newest first, resolved with who decided what.
 */
export class ReportDesk {
  readonly #community: Community;
  readonly #store: EntityStore;
  readonly #guildId: string;
  readonly #serviceUserId: string;
  readonly #textSafety: TextSafety | null;
  readonly #audio: AudioEvidenceSource | null;
  readonly #nextId: () => string;
  readonly #now: () => number;

  constructor(options: {
    community: Community;
    store: EntityStore;
    guildId: string;
    serviceUserId: string;
    textSafety?: TextSafety;
    audio?: AudioEvidenceSource;
    nextId: () => string;
    now?: () => number;
  }) {
    this.#community = options.community;
    this.#store = options.store;
    this.#guildId = options.guildId;
    this.#serviceUserId = options.serviceUserId;
    this.#textSafety = options.textSafety ?? null;
    this.#audio = options.audio ?? null;
    this.#nextId = options.nextId;
    this.#now = options.now ?? Date.now;
  }

  async file(input: FileReport): Promise<GameReport> {
    const reason = String(input.reason ?? '').slice(0, MAX_REASON);
    const pointed = [...new Set(input.messageIds ?? [])].slice(0, MAX_POINTED);
    const messages: ReportedMessage[] = [];
    if (input.channelId !== undefined) {
      const channelId = input.channelId;
      const seen = new Set<string>();
      for (const id of pointed) {
        const m = await this.#community.messages.get(this.#serviceUserId, channelId, id).catch(() => null);
        if (m && !seen.has(m.id)) {
          seen.add(m.id);
          messages.push(reported(m, channelId));
        }
      }
      const recent = await this.#community.messages.list(this.#serviceUserId, channelId, { limit: 100 });
      for (const m of recent.filter((m) => m.author.id === input.targetId).slice(0, RECENT)) {
        if (!seen.has(m.id)) {
          seen.add(m.id);
          messages.push(reported(m, channelId));
        }
      }
    }
    let audio: GameReport['evidence']['audio'] = null;
    if (input.includeAudio && this.#audio) {
      const clip = this.#audio.evidenceClip(input.targetId, Math.min(60, Math.max(1, input.audioSeconds ?? 30)));
      if (clip) audio = { from: clip.from, to: clip.to, oggBase64: Buffer.from(clip.ogg).toString('base64') };
    }
    const report: GameReport = {
      id: this.#nextId(),
      at: this.#now(),
      reporterId: input.reporterId,
      targetId: input.targetId,
      reason,
      channelId: input.channelId ?? null,
      evidence: { messages, filtered: [...(this.#textSafety?.evidence(input.targetId) ?? [])], audio },
      status: 'open',
      resolution: null,
    };
    await this.#store.write([
      { op: 'put', kind: KIND, partition: this.#guildId, id: report.id, ref: report.targetId, value: report },
    ]);
    return report;
  }

  get(id: string): Promise<GameReport | null> {
    return this.#store.get<GameReport>(KIND, this.#guildId, id);
  }

  /** Newest first; `targetId` lists one player's reports. */
  async list(query: { targetId?: string; status?: GameReport['status']; limit?: number; before?: string } = {}) {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 100);
    // Entity lists run oldest first: asking for what is before the largest snowflake gives the newest page.
    const page = query.targetId
      ? await this.#store.listByRef<GameReport>(KIND, query.targetId, { limit: 1000 })
      : await this.#store.list<GameReport>(KIND, this.#guildId, { limit, before: query.before ?? MAX_SNOWFLAKE });
    return page
      .map((r) => r.value)
      .filter((r) => query.status === undefined || r.status === query.status)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit);
  }

  async resolve(id: string, resolution: { by: string; outcome: string }): Promise<GameReport> {
    const updated = await this.#store.update<GameReport>(KIND, this.#guildId, id, (current) =>
      current
        ? {
            ref: current.targetId,
            value: {
              ...current,
              status: 'resolved',
              resolution: {
                by: resolution.by,
                outcome: String(resolution.outcome).slice(0, MAX_REASON),
                at: this.#now(),
              },
            },
          }
        : undefined,
    );
    if (!updated) throw new RangeError(`no report ${id}`);
    return updated;
  }
}

function reported(
  m: { id: string; author: { id: string }; content: string; timestamp: string },
  channelId: string,
): ReportedMessage {
  return { id: m.id, channelId, authorId: m.author.id, content: m.content, timestamp: m.timestamp };
}
