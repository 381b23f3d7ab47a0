import OpusScript from 'opusscript';
import { OPUS_CHANNELS, OPUS_SAMPLE_RATE } from '../opus/opus.js';
import { type Segment, Segmenter, type SegmenterOptions } from './Segmenter.js';
import { SPEECH_SAMPLE_RATE, type Transcriber, type Transcript, type Utterance } from './Speech.js';

export interface SpeechTapOptions {
  /**
   * Speakers decoded at once, over all channels (default 4, at most 16). Each costs an opusscript decoder, and
   * opusscript holds about 20 codec instances per process, shared with the server mixer (README › Limits); a speaker
   * past the cap is not transcribed (`dropped.speakers`) until a decoder is freed (a speaker left or was idle).
   */
  maxSpeakers?: number;
  /** Transcriptions running at once per channel (default 1). */
  concurrency?: number;
  /** Utterances waiting per channel (default 4): when the transcriber is slower than speech the oldest is dropped. */
  maxQueued?: number;
  /** A transcription taking longer is abandoned (its slot freed, its answer ignored), ms (default 30 000). */
  timeoutMs?: number;
  /** A speaker silent this long has its decoder freed, ms (default 10 000). */
  idleMs?: number;
  /** The voice activity detector (threshold, silence gap, maximum and minimum length). */
  segmenter?: SegmenterOptions;
  now?: () => number;
}

export const defaultSpeechTapOptions = {
  maxSpeakers: 4,
  concurrency: 1,
  maxQueued: 4,
  timeoutMs: 30_000,
  idleMs: 10_000,
} as const;

export interface SpeechTapStats {
  /** Opus frames decoded. */
  decoded: number;
  /** Utterances cut and handed on (queued or started). */
  utterances: number;
  /** Transcripts emitted (non-empty answers). */
  transcribed: number;
  dropped: {
    /** Frames of speakers past `maxSpeakers`. */
    speakers: number;
    /** Frames that did not decode (or were too long to be voice). */
    decode: number;
    /** Utterances dropped from a full queue (the transcriber is slower than speech). */
    queue: number;
    /** Transcriptions abandoned after `timeoutMs`. */
    timeout: number;
  };
  /** Transcribers that threw or rejected, and transcript listeners that threw. */
  errors: number;
}

interface TapRoom {
  key: string;
  guildId: string;
  channelId: string;
  transcriber: Transcriber;
  running: number;
  queue: Utterance[];
}

interface Speaker {
  room: string;
  userId: string;
  decoder: OpusScript;
  segmenter: Segmenter;
  /** Arrival of the last frame (ms). */
  heardAt: number;
}

/** Longest Opus payload decoded (RFC 6716's maximum frame); anything longer is not voice. */
const MAX_OPUS_BYTES = 1275;
const SPEAKER_CAP = 16;

/**
 * The speech-to-text tap of the SFU (opt-in per channel, `VoiceServer.transcribe`): each speaker's decrypted Opus is
 * decoded, folded to mono and cut into utterances (Segmenter.ts), and each utterance goes to the channel's
 * `Transcriber`, a bounded number at a time. Nothing here can throw into the forwarding path: `hear` catches, the
 * transcriber runs on a promise whose failures are counted. `sweep` (on a timer while a channel taps) ends the
 * utterances of speakers who stopped sending and frees idle decoders.
 */
export class SpeechTap {
  readonly stats: SpeechTapStats = {
    decoded: 0,
    utterances: 0,
    transcribed: 0,
    dropped: { speakers: 0, decode: 0, queue: 0, timeout: 0 },
    errors: 0,
  };
  readonly #rooms = new Map<string, TapRoom>();
  /** `room \0 userId` → speaker. */
  readonly #speakers = new Map<string, Speaker>();
  readonly #options: Required<Omit<SpeechTapOptions, 'segmenter' | 'now'>>;
  readonly #segmenter: SegmenterOptions;
  readonly #silenceMs: number;
  readonly #now: () => number;
  readonly #onTranscript: (transcript: Transcript) => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(onTranscript: (transcript: Transcript) => void, options: SpeechTapOptions = {}) {
    this.#onTranscript = onTranscript;
    this.#options = {
      maxSpeakers: Math.min(SPEAKER_CAP, Math.max(1, options.maxSpeakers ?? defaultSpeechTapOptions.maxSpeakers)),
      concurrency: Math.max(1, options.concurrency ?? defaultSpeechTapOptions.concurrency),
      maxQueued: Math.max(0, options.maxQueued ?? defaultSpeechTapOptions.maxQueued),
      timeoutMs: options.timeoutMs ?? defaultSpeechTapOptions.timeoutMs,
      idleMs: options.idleMs ?? defaultSpeechTapOptions.idleMs,
    };
    this.#segmenter = options.segmenter ?? {};
    void new Segmenter(this.#segmenter); // validates the options now rather than at the first speaker
    this.#silenceMs = this.#segmenter.silenceMs ?? 500;
    this.#now = options.now ?? Date.now;
  }

  /** Transcribes a room's speakers with `transcriber` (null: stop; its speakers' utterances are dropped). */
  setRoom(room: string, target: { guildId: string; channelId: string; transcriber: Transcriber } | null): void {
    if (target === null) {
      this.#rooms.delete(room);
      for (const speaker of [...this.#speakers.values()]) if (speaker.room === room) this.#free(speaker);
      if (this.#rooms.size === 0) this.#stopTimer();
      return;
    }
    const existing = this.#rooms.get(room);
    if (existing) existing.transcriber = target.transcriber;
    else this.#rooms.set(room, { ...target, key: room, running: 0, queue: [] });
    if (!this.#timer) {
      this.#timer = setInterval(() => this.sweep(), 100);
      this.#timer.unref();
    }
  }

  taps(room: string): boolean {
    return this.#rooms.has(room);
  }

  /** Decoders held now (at most `maxSpeakers`). */
  get speakers(): number {
    return this.#speakers.size;
  }

  /** One decrypted Opus frame of a speaker of a tapped room (the SFU calls this). Never throws. */
  hear(room: string, userId: string, payload: Uint8Array): void {
    try {
      this.#hear(room, userId, payload);
    } catch {
      this.stats.errors++;
    }
  }

  /** A speaker left the channel: ends their utterance and frees their decoder. */
  leave(room: string, userId: string): void {
    const speaker = this.#speakers.get(`${room}\0${userId}`);
    if (!speaker) return;
    this.#deliver(speaker, speaker.segmenter.flush());
    this.#free(speaker);
  }

  /** Ends the utterances of speakers silent for the silence gap; frees decoders idle for `idleMs`. */
  sweep(): void {
    const now = this.#now();
    for (const speaker of [...this.#speakers.values()]) {
      const quiet = now - speaker.heardAt;
      if (speaker.segmenter.active && quiet >= this.#silenceMs) this.#deliver(speaker, speaker.segmenter.flush());
      if (quiet >= this.#options.idleMs) this.#free(speaker);
    }
  }

  /** Frees every decoder and forgets every room (answers still running are ignored). */
  close(): void {
    this.#stopTimer();
    this.#rooms.clear();
    for (const speaker of [...this.#speakers.values()]) this.#free(speaker);
  }

  #hear(room: string, userId: string, payload: Uint8Array): void {
    if (!this.#rooms.has(room)) return;
    if (payload.length === 0 || payload.length > MAX_OPUS_BYTES) {
      this.stats.dropped.decode++;
      return;
    }
    const key = `${room}\0${userId}`;
    let speaker = this.#speakers.get(key);
    if (!speaker) {
      if (this.#speakers.size >= this.#options.maxSpeakers) {
        this.stats.dropped.speakers++;
        return;
      }
      const decoder = new OpusScript(OPUS_SAMPLE_RATE, OPUS_CHANNELS);
      speaker = { room, userId, decoder, segmenter: new Segmenter(this.#segmenter), heardAt: 0 };
      this.#speakers.set(key, speaker);
    }
    const now = this.#now();
    speaker.heardAt = now;
    let stereo: Buffer;
    try {
      stereo = speaker.decoder.decode(Buffer.from(payload.buffer, payload.byteOffset, payload.length));
    } catch {
      this.stats.dropped.decode++;
      return;
    }
    this.stats.decoded++;
    // s16le through a typed view (every platform Node runs on is little-endian), folded to mono.
    const frames = stereo.length >> 2;
    const mono = new Int16Array(frames);
    for (let i = 0; i < frames; i++) mono[i] = (stereo.readInt16LE(i * 4) + stereo.readInt16LE(i * 4 + 2)) >> 1;
    this.#deliver(speaker, speaker.segmenter.push(mono, now));
  }

  #deliver(speaker: Speaker, segment: Segment | null): void {
    const room = this.#rooms.get(speaker.room);
    if (!segment || !room) return;
    this.stats.utterances++;
    const utterance: Utterance = {
      guildId: room.guildId,
      channelId: room.channelId,
      userId: speaker.userId,
      pcm: segment.pcm,
      sampleRate: SPEECH_SAMPLE_RATE,
      from: segment.from,
      to: segment.to,
    };
    if (room.running < this.#options.concurrency) this.#run(room, utterance);
    else {
      room.queue.push(utterance);
      if (room.queue.length > this.#options.maxQueued) {
        room.queue.shift();
        this.stats.dropped.queue++;
      }
    }
  }

  #run(room: TapRoom, utterance: Utterance): void {
    room.running++;
    const transcriber = room.transcriber;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#options.timeoutMs);
      timer.unref();
    });
    const answer = Promise.resolve()
      .then(() => transcriber.transcribe(utterance))
      .then(
        (text) => text,
        () => {
          this.stats.errors++;
          return null;
        },
      );
    void Promise.race([answer, timeout]).then((text) => {
      clearTimeout(timer);
      room.running--;
      if (text === 'timeout') this.stats.dropped.timeout++;
      else this.#emit(room, transcriber, utterance, text);
      const next = room.queue.shift();
      if (next && this.#rooms.get(room.key) === room) this.#run(room, next);
    });
  }

  #emit(room: TapRoom, transcriber: Transcriber, utterance: Utterance, text: unknown): void {
    // An answer for a room that stopped tapping (or changed transcriber) is not posted.
    if (typeof text !== 'string' || this.#rooms.get(room.key) !== room || room.transcriber !== transcriber) return;
    const clean = text.trim().slice(0, 2000);
    if (clean.length === 0) return;
    this.stats.transcribed++;
    try {
      this.#onTranscript({ ...pick(utterance), text: clean });
    } catch {
      this.stats.errors++;
    }
  }

  #free(speaker: Speaker): void {
    this.#speakers.delete(`${speaker.room}\0${speaker.userId}`);
    speaker.segmenter.release();
    speaker.decoder.delete();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function pick(u: Utterance): Omit<Transcript, 'text'> {
  return { guildId: u.guildId, channelId: u.channelId, userId: u.userId, from: u.from, to: u.to };
}
