import type { FilteredMessage, MessageFilter, MessageFilterInput, MessageVerdict } from '@concord/guilds/moderation';
import {
  asteriskCensorStrategy,
  DataSet,
  englishDataset,
  englishRecommendedTransformers,
  pattern,
  RegExpMatcher,
  TextCensor,
} from 'obscenity';
import { textSafetyDefaults } from './textSafetyDefaults.js';

const MAX_MASK_PASSES = 4;

/** What `new TextSafety(options)` takes; defaults in textSafetyDefaults.ts. */
export interface TextSafetyOptions {
  /**
   * What a message with a listed word gets: `mask` stars the words out, `reject` refuses it (Discord's AutoMod error
   * 200000), `flag` lets it through and records it.
   */
  action?: 'mask' | 'reject' | 'flag';
  /**
   * obscenity's English dataset (it also catches the usual disguises: leetspeak, repeated and look-alike characters);
   * false: only `extraTerms`.
   */
  englishWordList?: boolean;
  /** The game's own banned terms (names of cheats, scam domains…), judged like the word list. Plain words. */
  extraTerms?: readonly string[];
  /** Per player, at most `messages` in any `windowMs`; beyond, 429 with `retry_after`. `false`: no limit here. */
  rateLimit?: { messages: number; windowMs: number } | false;
  keptPerPlayer?: number;
  maxTrackedPlayers?: number;
  /** Clock (Unix ms, default Date.now). */
  now?: () => number;
}

/** A message the filter masked, flagged or refused, kept as evidence for reports. */
export interface FilteredEvidence {
  at: number;
  channelId: string;
  guildId: string | null;
  /** The stored message, when it was stored (masked or flagged). */
  messageId: string | null;
  /** What the player sent. */
  content: string;
  action: 'mask' | 'flag' | 'reject';
  reason: string;
}

interface Player {
  /** Token bucket: messages the player may still send now, refilled continuously. */
  tokens: number;
  updatedAt: number;
  mutedUntil: number;
  evidence: FilteredEvidence[];
}

/**
 * The text-safety filter of a game (pass it as `messageFilter` to the Community): server-authoritative text mutes,
 * a per-player rate limit, and a word list (obscenity's English dataset plus the game's own terms) that masks,
 * rejects or flags. What it masked, flagged or refused is kept per player (bounded) as evidence for reports.
 * Memory is bounded: at most `maxTrackedPlayers` players, the least recently seen forgotten first.
 */
export class TextSafety implements MessageFilter {
  readonly #action: 'mask' | 'reject' | 'flag';
  readonly #matcher: RegExpMatcher | null;
  readonly #censor = new TextCensor().setStrategy(asteriskCensorStrategy());
  readonly #rate: { messages: number; windowMs: number } | false;
  readonly #kept: number;
  readonly #maxPlayers: number;
  readonly #now: () => number;
  /** Insertion order = least recently seen first (a player is re-inserted when seen). */
  readonly #players = new Map<string, Player>();

  constructor(options: TextSafetyOptions = {}) {
    this.#action = options.action ?? textSafetyDefaults.action;
    this.#rate = options.rateLimit ?? textSafetyDefaults.rateLimit;
    if (this.#rate && !(this.#rate.messages >= 1 && this.#rate.windowMs > 0))
      throw new RangeError('rateLimit needs messages >= 1 and windowMs > 0');
    this.#kept = options.keptPerPlayer ?? textSafetyDefaults.keptPerPlayer;
    this.#maxPlayers = options.maxTrackedPlayers ?? textSafetyDefaults.maxTrackedPlayers;
    this.#now = options.now ?? Date.now;
    const english = options.englishWordList ?? textSafetyDefaults.englishWordList;
    if (!english && !options.extraTerms?.length) this.#matcher = null;
    else {
      // A DataSet of our own: adding the game's terms to the shared englishDataset would change every other filter's.
      const data = new DataSet<{ originalWord: string }>();
      if (english) data.addAll(englishDataset);
      for (const term of options.extraTerms ?? []) {
        if (!/^[\p{L}\p{N} .'-]{1,64}$/u.test(term)) throw new RangeError(`extraTerms: not a plain term: ${term}`);
        data.addPhrase((phrase) => phrase.setMetadata({ originalWord: term }).addPattern(pattern`${term}`));
      }
      this.#matcher = new RegExpMatcher({ ...data.build(), ...englishRecommendedTransformers });
    }
  }

  /** A text mute the player cannot lift: their messages are refused until `until` (null: until unmuted). */
  mute(userId: string, until: Date | null = null): void {
    this.#player(userId).mutedUntil = until === null ? Number.POSITIVE_INFINITY : until.getTime();
  }

  unmute(userId: string): void {
    const player = this.#players.get(userId);
    if (player) player.mutedUntil = 0;
  }

  isMuted(userId: string): boolean {
    return (this.#players.get(userId)?.mutedUntil ?? 0) > this.#now();
  }

  /** What this filter masked, flagged or refused of a player's messages, newest last (for a report). */
  evidence(userId: string): readonly FilteredEvidence[] {
    return [...(this.#players.get(userId)?.evidence ?? [])];
  }

  check(input: MessageFilterInput): MessageVerdict {
    const now = this.#now();
    const player = this.#player(input.authorId);
    if (player.mutedUntil > now) {
      this.#keep(player, input, null, 'reject', 'muted');
      return { action: 'reject', reason: 'muted' };
    }
    if (this.#rate) {
      const { messages, windowMs } = this.#rate;
      player.tokens = Math.min(messages, player.tokens + ((now - player.updatedAt) * messages) / windowMs);
      player.updatedAt = now;
      if (player.tokens < 1) {
        const retryAfterSeconds = Math.ceil((((1 - player.tokens) * windowMs) / messages / 1000) * 1000) / 1000;
        return { action: 'slow', retryAfterSeconds };
      }
      player.tokens -= 1;
    }
    if (!this.#matcher || input.content === '') return { action: 'allow' };
    const matches = this.#matcher.getAllMatches(input.content, true);
    if (matches.length === 0) return { action: 'allow' };
    const action = this.#action;
    const reason = 'word list';
    if (action === 'reject') {
      this.#keep(player, input, null, 'reject', reason);
      return { action: 'reject', reason };
    }
    if (action === 'flag') return { action: 'flag', reason };
    // One pass can leave a word that the previous match's masking exposed (adjacent matches such as "sh1tfuck"):
    // mask until nothing matches, and refuse the message if a few passes do not get there.
    let content = this.#censor.applyTo(input.content, matches);
    for (let pass = 1; pass < MAX_MASK_PASSES; pass++) {
      const left = this.#matcher.getAllMatches(content, true);
      if (left.length === 0) return { action: 'mask', content, reason };
      content = this.#censor.applyTo(content, left);
    }
    if (!this.#matcher.hasMatch(content)) return { action: 'mask', content, reason };
    this.#keep(player, input, null, 'reject', reason);
    return { action: 'reject', reason };
  }

  filtered(message: FilteredMessage, verdict: MessageVerdict & { action: 'flag' | 'mask' }): void {
    const player = this.#player(message.authorId);
    const input = {
      channelId: message.channelId,
      guildId: message.guildId,
      content: message.original ?? message.content,
    };
    this.#keep(player, input, message.id, verdict.action, verdict.reason ?? 'filtered');
  }

  #player(userId: string): Player {
    let player = this.#players.get(userId);
    if (player) this.#players.delete(userId);
    else {
      const rate = this.#rate;
      player = { tokens: rate ? rate.messages : 0, updatedAt: this.#now(), mutedUntil: 0, evidence: [] };
      // Bounded: the least recently seen player goes first (a muted one too — a mute meant to outlive that belongs in
      // the community: a timeout, or a ban).
      if (this.#players.size >= this.#maxPlayers) {
        const oldest = this.#players.keys().next().value;
        if (oldest !== undefined) this.#players.delete(oldest);
      }
    }
    this.#players.set(userId, player);
    return player;
  }

  #keep(
    player: Player,
    input: Pick<MessageFilterInput, 'channelId' | 'guildId' | 'content'>,
    messageId: string | null,
    action: FilteredEvidence['action'],
    reason: string,
  ): void {
    player.evidence.push({
      at: this.#now(),
      channelId: input.channelId,
      guildId: input.guildId,
      messageId,
      // Bounded like a message (Discord's 4,000 characters at most reach a filter).
      content: input.content.slice(0, 4000),
      action,
      reason,
    });
    if (player.evidence.length > this.#kept) player.evidence.splice(0, player.evidence.length - this.#kept);
  }
}
