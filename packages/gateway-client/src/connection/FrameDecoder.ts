import { type Encoding, isGatewayPayload } from '@concord/protocol';
import {
  createZlibStreamInflater,
  createZstdStreamInflater,
  inflatePayload,
  type StreamInflater,
} from '@concord/protocol/compression';
import { GatewayClientError } from '../GatewayClientError.js';
import { defaultGatewayConnectionOptions } from '../GatewayConnectionOptions.js';
import type { CompressionOption } from '../types.js';
import type { InboundPayload } from './inboundOpHandlers.js';

/** Transport compression (the URL's `compress`): the default unless told otherwise (null: none); `payload` is none. */
export function transportCompression(option: CompressionOption | undefined): 'zlib-stream' | 'zstd-stream' | null {
  const compression = option === undefined ? defaultGatewayConnectionOptions.compression : option;
  return compression === 'payload' ? null : compression;
}

/** Fails early (in `connect()`) when zstd-stream is asked for and this runtime cannot inflate it. */
export function assertCompressionAvailable(option: CompressionOption | undefined): void {
  if (option !== 'zstd-stream') return;
  try {
    createZstdStreamInflater().close();
  } catch (error) {
    throw new GatewayClientError(
      'UNSUPPORTED_COMPRESSION',
      'zstd-stream is not available in this runtime (needs node:zlib zstd, Node >= 22.15, or the zstd-napi package); use zlib-stream',
      { cause: error },
    );
  }
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // ws with binaryType 'fragments' / 'nodebuffer' arrays of chunks.
  if (Array.isArray(data) && data.every((chunk) => chunk instanceof Uint8Array)) {
    const total = data.reduce((n, chunk: Uint8Array) => n + chunk.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of data as Uint8Array[]) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
  return null;
}

/**
 * Turns the frames of one socket into gateway payloads: transport inflation (one zlib/zstd context per socket, so a
 * new socket needs a new decoder), payload compression (JSON only) and decoding.
 */
export class FrameDecoder {
  readonly #encoding: Encoding;
  readonly #limits: { maxOutput?: number };
  #inflater: StreamInflater | null;

  constructor(encoding: Encoding, compression: 'zlib-stream' | 'zstd-stream' | null, maxPayloadBytes?: number) {
    this.#encoding = encoding;
    this.#limits = maxPayloadBytes === undefined ? {} : { maxOutput: maxPayloadBytes };
    this.#inflater =
      compression === 'zlib-stream'
        ? createZlibStreamInflater(this.#limits)
        : compression === 'zstd-stream'
          ? createZstdStreamInflater(this.#limits)
          : null;
  }

  /**
   * The payload in a frame, or null while a zlib/zstd-stream message is still incomplete. Throws a
   * `GatewayClientError` (`DECODE_FAILED`) for a frame that cannot be inflated or decoded, or is no gateway payload.
   */
  decode(data: unknown): InboundPayload | null {
    let payload: unknown;
    try {
      if (typeof data === 'string') {
        payload = this.#encoding.decode(data);
      } else {
        const bytes = toBytes(data);
        if (bytes === null) throw new GatewayClientError('DECODE_FAILED', 'unsupported frame type');
        if (this.#inflater) {
          const inflated = this.#inflater.push(bytes);
          if (inflated === null) return null;
          payload = this.#encoding.decode(inflated);
        } else if (this.#encoding.name === 'json' && bytes[0] === 0x78) {
          // Payload compression: a complete zlib stream (0x78 header; JSON text never starts with "x").
          payload = this.#encoding.decode(inflatePayload(bytes, this.#limits));
        } else {
          payload = this.#encoding.decode(bytes);
        }
      }
      if (!isGatewayPayload(payload)) throw new GatewayClientError('DECODE_FAILED', 'frame is not a gateway payload');
    } catch (error) {
      if (error instanceof GatewayClientError) throw error;
      throw new GatewayClientError('DECODE_FAILED', `undecodable frame: ${(error as Error).message}`, { cause: error });
    }
    return payload as InboundPayload;
  }

  /** Frees the inflater; a partial stream frame buffered in it belongs to the old context and is discarded. */
  close(): void {
    this.#inflater?.close();
    this.#inflater = null;
  }
}
