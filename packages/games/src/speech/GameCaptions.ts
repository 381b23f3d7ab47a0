import type { Community } from '@concord/guilds';
import type { SpeechSynthesizer, SpeechTranscriber, SpeechTranscript, SpeechVoice } from './SpeechVoice.js';

/** What captions need of the game host (a `GameHost` has it). */
export interface CaptionHost {
  readonly community: Community;
  readonly guildId: string;
  readonly serviceUserId: string;
}

export interface GameCaptionsOptions {
  voice: SpeechVoice;
  /** Speech to text for linked channels; without one `link` throws. */
  transcriber?: SpeechTranscriber;
  /** Text to speech for `speak`; without one `speak` throws. */
  synthesizer?: SpeechSynthesizer;
  /** Messages posted per text channel per minute (default 20); more are dropped (`stats.dropped`). */
  maxPerMinute?: number;
  /** Longest text `speak` takes, characters (default 500). */
  maxSpeakChars?: number;
  now?: () => number;
}

export interface GameCaptionsStats {
  posted: number;
  /** Over the rate limit. */
  dropped: number;
  /** The community refused the message (a filter, a deleted channel). */
  refused: number;
}

interface Link {
  textChannelId: string;
  /** Start of each post in the last minute (ms), oldest first. */
  sent: number[];
}

/** Discord markdown that would change how a name or a caption renders (and mentions' `@`). */
const MARKDOWN = /[\\*_~`|>#@[\]()<]/g;

/**
 * Captions for voice channels: what the voice server's speech tap hears in a linked voice channel is posted in a text
 * channel, as the game's service user, "**name**: text", through `community.messages.create` (so the guild's message
 * filter and permissions apply, and no mention can ping: `allowed_mentions` parses nothing). Rate-limited per text
 * channel. `speak` is the other direction: text to speech into a voice channel, heard as the service user.
 */
export class GameCaptions {
  readonly stats: GameCaptionsStats = { posted: 0, dropped: 0, refused: 0 };
  readonly #host: CaptionHost;
  readonly #options: GameCaptionsOptions;
  readonly #links = new Map<string, Link>();
  readonly #names = new Map<string, string>();
  readonly #now: () => number;
  readonly #onTranscript = (t: SpeechTranscript): void => {
    void this.#post(t);
  };

  constructor(host: CaptionHost, options: GameCaptionsOptions) {
    this.#host = host;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    options.voice.on('transcript', this.#onTranscript);
  }

  /** Whether a transcriber (for `link`) or a synthesizer (for `speak`) was given. */
  has(what: 'transcriber' | 'synthesizer'): boolean {
    return this.#options[what] !== undefined;
  }

  /** Transcribes `voiceChannelId` into `textChannelId` (replacing an earlier link of that voice channel). */
  link(voiceChannelId: string, textChannelId: string): void {
    const transcriber = this.#options.transcriber;
    if (!transcriber) throw new Error('captions need a transcriber');
    this.#links.set(voiceChannelId, { textChannelId, sent: [] });
    this.#options.voice.transcribe(this.#host.guildId, voiceChannelId, transcriber);
  }

  unlink(voiceChannelId: string): void {
    if (!this.#links.delete(voiceChannelId)) return;
    this.#options.voice.transcribe(this.#host.guildId, voiceChannelId, null);
  }

  /** Says `text` in a voice channel as the service user (text to speech); resolves once played. */
  async speak(voiceChannelId: string, text: string): Promise<void> {
    const synthesizer = this.#options.synthesizer;
    if (!synthesizer) throw new Error('speaking needs a synthesizer');
    const clean = text.trim().slice(0, this.#options.maxSpeakChars ?? 500);
    if (clean.length === 0) return;
    const pcm = await synthesizer.synthesize(clean);
    await this.#options.voice.speak(this.#host.guildId, voiceChannelId, pcm, { userId: this.#host.serviceUserId });
  }

  /** Unlinks every channel and stops listening to the voice server. */
  close(): void {
    for (const channelId of [...this.#links.keys()]) this.unlink(channelId);
    this.#options.voice.off('transcript', this.#onTranscript);
  }

  async #post(t: SpeechTranscript): Promise<void> {
    const host = this.#host;
    const link = t.guildId === host.guildId ? this.#links.get(t.channelId) : undefined;
    // The service user's own speech (`speak`) is already text.
    if (!link || t.userId === host.serviceUserId) return;
    const now = this.#now();
    while (link.sent.length > 0 && link.sent[0]! <= now - 60_000) link.sent.shift();
    if (link.sent.length >= (this.#options.maxPerMinute ?? 20)) {
      this.stats.dropped++;
      return;
    }
    link.sent.push(now);
    try {
      const name = await this.#name(t.userId);
      const content = `**${escapeMarkdown(name)}**: ${escapeMarkdown(t.text)}`.slice(0, 2000);
      await host.community.messages.create(host.serviceUserId, link.textChannelId, {
        content,
        allowed_mentions: { parse: [] },
      });
      this.stats.posted++;
    } catch {
      this.stats.refused++;
    }
  }

  async #name(userId: string): Promise<string> {
    const known = this.#names.get(userId);
    if (known !== undefined) return known;
    let name = userId;
    try {
      const user = await this.#host.community.users.get(userId);
      name = user.global_name ?? user.username;
    } catch {
      // An unknown user (the narrator of another game): their id stands for the name.
    }
    if (this.#names.size >= 10_000) this.#names.clear();
    this.#names.set(userId, name);
    return name;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN, (c) => `\\${c}`);
}
