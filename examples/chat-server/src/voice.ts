import type { VoiceGatewayContract, VoiceServer, VoiceServerOptions } from '@concord/voice';

/** The voice server, started on demand, and the gateway's allocator that waits for it. */
export interface LazyVoice {
  allocator: VoiceGatewayContract;
  start(): Promise<VoiceServer>;
  close(): Promise<void>;
}

/**
 * The voice server (@concord/voice: voice gateway + UDP SFU) in this process, loaded once the chat server is ready:
 * loading it (Opus, crypto backends) costs more than the rest of startup. An op 4 that comes earlier starts it.
 */
export function lazyVoice(options: VoiceServerOptions): LazyVoice {
  let server: Promise<VoiceServer> | undefined;
  const start = () => (server ??= import('@concord/voice').then((voice) => voice.createVoiceServer(options)));
  return {
    // The voice server is the allocator (it implements the gateway ↔ voice contract).
    allocator: {
      allocate: async (r) => (await start()).allocate(r),
      release: async (r) => (await start()).release(r),
      // Go Live: a stream's room on the same voice server (docs/protocol.md "Go Live").
      allocateStream: async (r) => (await start()).allocateStream(r),
      releaseStream: async (r) => (await start()).releaseStream(r),
      // Server mute, deafen and missing SPEAK enforced on the media plane, not only shown in the voice state.
      voiceStateChanged: async (s) => (await start()).voiceStateChanged(s),
    },
    start,
    close: async () => void (await (await server?.catch(() => undefined))?.close()),
  };
}
