/** Ready (voice op 2), as far as a browser reads it: its audio SSRC and the video streams allocated for it. */
export interface VoiceReady {
  ssrc: number;
  streams?: { type?: string; rid?: string; ssrc: number; rtx_ssrc?: number }[];
}
