/** One utterance handed to a transcriber (`@concord/voice`'s `Utterance`: mono s16 at 48 kHz, Unix ms times). */
export interface SpeechUtterance {
  guildId: string;
  channelId: string;
  userId: string;
  pcm: Int16Array;
  sampleRate: number;
  from: number;
  to: number;
}

/** Speech to text (`@concord/voice`'s `Transcriber`): null or blank posts nothing. */
export interface SpeechTranscriber {
  transcribe(utterance: SpeechUtterance): Promise<string | null>;
}

/** Text to speech (`@concord/voice`'s `Synthesizer`): 48 kHz interleaved stereo s16 samples. */
export interface SpeechSynthesizer {
  synthesize(text: string): Promise<Int16Array>;
}

/** What the voice server's speech tap reports (`@concord/voice`'s `Transcript`). */
export interface SpeechTranscript {
  guildId: string;
  channelId: string;
  userId: string;
  text: string;
  from: number;
  to: number;
}

/** What captions drive: `@concord/voice`'s VoiceServer has these methods (`transcribe`, `speak`, the `transcript` event). */
export interface SpeechVoice {
  transcribe(guildId: string, channelId: string, transcriber: SpeechTranscriber | null): void;
  speak(guildId: string, channelId: string, pcm: Int16Array, options?: { userId?: string }): Promise<number>;
  on(event: 'transcript', listener: (transcript: SpeechTranscript) => void): unknown;
  off(event: 'transcript', listener: (transcript: SpeechTranscript) => void): unknown;
}
