/** Sample rate of everything the speech tap and the narrator handle: Discord's Opus rate. */
export const SPEECH_SAMPLE_RATE = 48_000;

/** One utterance of one speaker, cut by the speech tap's voice activity detector (Segmenter.ts). */
export interface Utterance {
  guildId: string;
  channelId: string;
  userId: string;
  /** Mono s16 samples at 48 kHz (the speaker's stereo folded), from the first voiced frame to the last. */
  pcm: Int16Array;
  sampleRate: typeof SPEECH_SAMPLE_RATE;
  /** When the utterance started and ended, Unix ms (start: arrival of its first frame; end: start + its duration). */
  from: number;
  to: number;
}

/**
 * Speech to text, pluggable (a local engine, a cloud service, a scripted one in tests). A null or empty answer posts
 * nothing. Throwing or rejecting is counted (`SpeechTapStats.errors`) and never reaches the media plane.
 */
export interface Transcriber {
  transcribe(utterance: Utterance): Promise<string | null>;
}

/** What the tap found a speaker said (the server's `transcript` event). */
export interface Transcript {
  guildId: string;
  channelId: string;
  userId: string;
  text: string;
  from: number;
  to: number;
}

/** Text to speech, pluggable: 48 kHz interleaved stereo s16 samples, what `VoiceServer.speak` sends. */
export interface Synthesizer {
  synthesize(text: string): Promise<Int16Array>;
}
