import type { WebSocketConstructor } from '@concord/gateway-client';

export interface GameClientOptions {
  /** Where the server answers: `http(s)://host:port`. The gateway, `/api/v10` and `/games/v1` are all there. */
  baseUrl: string;
  /** The player token the game backend issued (docs/ENGINE-CONTRACT.md §1), as it is. */
  token: string;
  /** The gateway's URL when it is not `baseUrl` with a ws(s) scheme. */
  gatewayUrl?: string;
  /** Gateway intents (default {@link gameClientDefaults}.intents). */
  intents?: number;
  /** Identify's `properties`: the engine's names. */
  properties?: { os: string; browser: string; device: string };
  /** How long joinVoice waits for the gateway's answers to op 4, ms. */
  voiceTimeoutMs?: number;
  /** `fetch` for REST and the game API (default: the global one). */
  fetch?: typeof fetch;
  /** WebSocket implementation for the gateway (default: the browser's, or `ws` in Node). */
  WebSocket?: WebSocketConstructor;
}
