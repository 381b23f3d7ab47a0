import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { VoiceClient } from '../client/VoiceClient.js';
import { OPUS_CHANNELS, OPUS_FRAME_SAMPLES, PCM_FRAME_BYTES, SILENCE_FRAME } from '../opus/opus.js';
import { SPEECH_SAMPLE_RATE } from './Speech.js';

/** What the narrator needs of its voice server: a token for its user, and where to connect on this host. */
export interface NarratorLink {
  allocate(request: { guildId: string; channelId: string; userId: string; sessionId: string }): { token: string };
  address(): { host: string; port: number };
  /** The server speaks wss:// (its own certificate: the narrator connects over loopback without checking it). */
  readonly secure: boolean;
}

export interface NarratorOptions {
  guildId: string;
  channelId: string;
  /** The user the others hear (it joins the channel while speaking; not a player's id: it would replace their session). */
  userId: string;
  /** Speeches waiting at once (default 8); more are refused. */
  maxPending?: number;
  /** Longest speech, seconds (default 60). */
  maxSeconds?: number;
}

const SAMPLES_PER_FRAME = OPUS_FRAME_SAMPLES * OPUS_CHANNELS;
/**
 * Channels a server speaks into at once (`VoiceServer.speak`): each narrator holds an Opus encoder while speaking, out
 * of the ~20 opusscript instances a process can hold (README › Limits), and a gateway session.
 */
export const MAX_NARRATORS = 4;
/** Quiet after the last speech before the narrator leaves the channel, ms. */
const LINGER_MS = 500;

/**
 * Speaks PCM into a voice channel as a member others receive like any speaker: a `VoiceClient` of this process joins
 * the channel through the server's own gateway on loopback, sends 20 ms Opus frames paced at real time (against the
 * clock, so timer lateness does not accumulate), five silence frames after each speech, and leaves 500 ms after the
 * last one. Speeches play one after the other.
 */
export class Narrator {
  readonly #link: NarratorLink;
  readonly #options: Required<NarratorOptions>;
  #chain: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #client: VoiceClient | null = null;
  /** The last client's leaving: a new session of the same user waits for it (a new Identify would race its close). */
  #leaving: Promise<void> = Promise.resolve();
  #idle: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #onLeft: () => void;

  /** `onLeft`: the narrator left the channel with nothing queued (its owner may forget it). */
  constructor(link: NarratorLink, options: NarratorOptions, onLeft: () => void = () => {}) {
    this.#link = link;
    this.#options = { maxPending: 8, maxSeconds: 60, ...options };
    this.#onLeft = onLeft;
  }

  /** The channel it speaks into. */
  get channelId(): string {
    return this.#options.channelId;
  }

  /** Speeches queued or playing. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Queues 48 kHz interleaved stereo s16 samples; resolves with the frames sent once played. Rejects (RangeError)
   * a speech over `maxSeconds` or when `maxPending` are waiting.
   */
  speak(pcm: Int16Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('narrator closed'));
    if (pcm.length > this.#options.maxSeconds * SPEECH_SAMPLE_RATE * OPUS_CHANNELS)
      return Promise.reject(new RangeError(`a speech is at most ${this.#options.maxSeconds} s`));
    if (this.#pending >= this.#options.maxPending) return Promise.reject(new RangeError('too many speeches queued'));
    this.#pending++;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    const played = this.#chain.then(() => this.#play(pcm));
    this.#chain = played.then(
      () => this.#done(),
      () => this.#done(),
    );
    return played;
  }

  /** Stops: the speech playing ends at its next frame, the client leaves. */
  close(): void {
    this.#closed = true;
    if (this.#idle) clearTimeout(this.#idle);
    this.#client?.disconnect();
    this.#client = null;
  }

  #done(): void {
    if (--this.#pending > 0) return;
    // Speeches in quick succession keep one session; the narrator leaves after a short quiet.
    this.#idle = setTimeout(() => this.#leave(), LINGER_MS);
    this.#idle.unref();
  }

  #leave(): void {
    this.#idle = null;
    const client = this.#client;
    this.#client = null;
    if (!client) {
      this.#onLeft();
      return;
    }
    this.#leaving = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      timer.unref();
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.disconnect();
    }).then(() => {
      if (this.#pending === 0) this.#onLeft();
    });
  }

  async #connect(): Promise<VoiceClient> {
    if (this.#client) return this.#client;
    await this.#leaving;
    const { guildId, channelId, userId } = this.#options;
    const sessionId = `narrator-${randomBytes(8).toString('hex')}`;
    const { token } = this.#link.allocate({ guildId, channelId, userId, sessionId });
    const { host, port } = this.#link.address();
    const loopback = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const client = new VoiceClient({
      endpoint: `${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`,
      token,
      sessionId,
      userId,
      guildId,
      secure: this.#link.secure,
      tls: { rejectUnauthorized: false },
      adaptBitrate: false,
    });
    client.on('error', () => {}); // a dropped narrator fails its speech below; nothing to report elsewhere
    await client.connect();
    if (this.#closed) {
      client.disconnect();
      throw new Error('narrator closed');
    }
    this.#client = client;
    return client;
  }

  async #play(pcm: Int16Array): Promise<number> {
    const client = await this.#connect();
    const frames = Math.ceil(pcm.length / SAMPLES_PER_FRAME);
    const frame = Buffer.alloc(PCM_FRAME_BYTES);
    const view = new Int16Array(frame.buffer, frame.byteOffset, SAMPLES_PER_FRAME);
    const start = performance.now();
    for (let f = 0; f < frames; f++) {
      if (this.#closed) return f;
      const wait = start + f * 20 - performance.now();
      if (wait > 1) await sleep(wait);
      view.fill(0);
      view.set(pcm.subarray(f * SAMPLES_PER_FRAME, (f + 1) * SAMPLES_PER_FRAME));
      client.sendPcm(frame);
    }
    // Five silence frames end the speech (as clients do), paced like the rest; the last one's send completes before
    // the narrator may leave (a socket closed at once drops datagrams still queued).
    for (let i = 0; i < 5 && !this.#closed; i++) {
      const wait = start + (frames + i) * 20 - performance.now();
      if (wait > 1) await sleep(wait);
      client.sendOpus(SILENCE_FRAME);
    }
    await sleep(20);
    return frames;
  }
}
