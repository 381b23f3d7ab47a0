import type { ProtocolError } from '../ProtocolError.js';
import { concatBytes, endsWithZlibSuffix } from './bytes.js';
import { closedError, inputLimitError } from './errors.js';
import type { StreamInflater } from './types.js';

export interface SuffixInflaterEngine {
  /** Inflates one complete Z_SYNC_FLUSH-terminated payload through the connection's single context. */
  inflate(input: Uint8Array): Uint8Array;
  /** Maps an engine failure to the typed error thrown to the caller. */
  toError(error: unknown): ProtocolError;
  close?(): void;
}

/**
 * The zlib-stream receiving side, whatever inflates: buffers binary frames until the payload ends in 00 00 FF FF,
 * bounds what it buffers (`maxInput`), then hands the whole payload to the engine. Any failure closes it for good:
 * a zlib stream cannot continue past a corrupt or refused payload.
 */
export function createSuffixInflater(engine: SuffixInflaterEngine, maxInput: number): StreamInflater {
  let open = true;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const shut = () => {
    if (open) engine.close?.();
    open = false;
    pending = [];
  };
  return {
    push(frame) {
      if (!open) throw closedError('zlib-stream inflater');
      pendingBytes += frame.byteLength;
      if (pendingBytes > maxInput) {
        shut();
        throw inputLimitError(maxInput);
      }
      pending.push(frame);
      if (!endsWithZlibSuffix(pending)) return null;
      const input = concatBytes(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      try {
        return engine.inflate(input);
      } catch (error) {
        shut();
        throw engine.toError(error);
      }
    },
    close: shut,
  };
}
