import { readFileSync } from 'node:fs';
import type { VoiceGatewayContract, VoiceServer } from '@concord/voice';

export interface VoiceOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  udpPort: number;
  /** Host name clients are told to connect to (default: `host`). */
  publicHost?: string;
  tls?: { certFile: string; keyFile: string };
}

export interface LazyVoice {
  /** The gateway's voice allocator: the voice server, once it listens. */
  allocator: VoiceGatewayContract;
  /** Resolves once the voice server listens (it starts after the chat server is ready). */
  ready: Promise<VoiceServer>;
  start(): Promise<VoiceServer>;
  close(): Promise<void>;
}

/**
 * The voice server (@concord/voice: voice gateway + UDP SFU) in this process. It is started after the chat server is
 * ready, since loading it (Opus encoder, crypto backends) costs more than the rest of startup; an op 4 that arrives
 * earlier waits for it.
 */
export function lazyVoice(options: VoiceOptions): LazyVoice {
  let resolveReady!: (server: VoiceServer) => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<VoiceServer>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  let started: Promise<VoiceServer> | null = null;
  return {
    ready,
    // The voice server is the allocator (it implements the gateway ↔ voice contract); this only makes calls that
    // arrive before it listens wait for it.
    allocator: {
      allocate: async (request) => (await ready).allocate(request),
      release: async (request) => (await ready).release(request),
    },
    start() {
      started ??= (async () => {
        const { createVoiceServer } = await import('@concord/voice');
        const server = await createVoiceServer({
          host: options.host,
          port: options.port,
          udpPort: options.udpPort,
          ...(options.publicHost ? { publicHost: options.publicHost } : {}),
          ...(options.tls
            ? { tls: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) } }
            : {}),
        });
        resolveReady(server);
        return server;
      })().catch((error) => {
        rejectReady(error);
        throw error;
      });
      return started;
    },
    async close() {
      if (started) await (await started.catch(() => null))?.close();
    },
  };
}
