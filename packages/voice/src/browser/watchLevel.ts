// A client's own speaking indicator: the microphone's level through a WebAudio AnalyserNode, with a short hangover so the
// indicator (and voice op 5 Speaking, which tells the others) does not flicker between syllables.

/** RMS level (0..1) above which the microphone counts as speaking. */
const THRESHOLD = 0.02;
/** How long the level must stay below the threshold before speaking ends, ms. */
const HANGOVER_MS = 300;
const POLL_MS = 50;

export interface LevelMeter {
  /** Whether the level says speaking right now (whatever the mute state). */
  readonly speaking: boolean;
  stop(): void;
}

/** Watches `stream`'s audio; `onSpeaking` is called on every change (true when it starts, false when it ends). */
export function watchLevel(
  context: AudioContext,
  stream: MediaStream,
  onSpeaking: (speaking: boolean) => void,
): LevelMeter {
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let speaking = false;
  let lastLoud = 0;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    const now = performance.now();
    if (rms > THRESHOLD) lastLoud = now;
    const next = now - lastLoud < HANGOVER_MS;
    if (next !== speaking) {
      speaking = next;
      onSpeaking(speaking);
    }
  }, POLL_MS);
  return {
    get speaking() {
      return speaking;
    },
    stop() {
      clearInterval(timer);
      source.disconnect();
      if (speaking) onSpeaking(false);
    },
  };
}
