/** The gateway API version this package speaks (and clients connect with by default). */
export const GATEWAY_VERSION = 10;

/**
 * Gateway versions a server accepts by default: Discord still serves v9 beside v10 (v8 and older are deprecated or
 * gone), and some client libraries still default to v9. The one difference a session sees: on v10 MESSAGE_CONTENT must
 * be asked for in Identify, on v9 it applies when the application is allowed it.
 */
export const GATEWAY_VERSIONS: readonly number[] = Object.freeze([9, 10]);

/** Voice gateway versions this package speaks (`?v=4` or `?v=8`). */
export const VOICE_GATEWAY_VERSIONS = [4, 8] as const;

/** Largest payload a client may send; bigger ones are answered with close code 4002. */
export const MAX_CLIENT_PAYLOAD_BYTES = 4096;

/** Heartbeat interval Discord announces in Hello. */
export const DEFAULT_HEARTBEAT_INTERVAL = 41_250;

/** Client commands allowed per connection per `COMMAND_RATE_WINDOW_MS`. */
export const COMMAND_RATE_LIMIT = 120;
export const COMMAND_RATE_WINDOW_MS = 60_000;

/** Every zlib-stream payload ends with the empty stored block a Z_SYNC_FLUSH writes. */
export const ZLIB_SUFFIX: Readonly<Uint8Array> = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** Transport compressions a gateway connection can ask for with `?compress=`. */
export type CompressionName = 'zlib-stream' | 'zstd-stream';
