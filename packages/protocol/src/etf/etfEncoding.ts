import type { Encoding } from '../Encoding.js';
import { decodeEtf } from './decodeEtf.js';
import { EtfError } from './EtfError.js';
import { encodeEtf } from './encodeEtf.js';

/** `?encoding=etf`: binary frames, default decode limits. A text frame is a decode error (ETF is never text). */
export const etfEncoding: Encoding = {
  name: 'etf',
  binary: true,
  encode: encodeEtf,
  decode(data: string | Uint8Array): unknown {
    if (typeof data === 'string') throw new EtfError('DECODE_ERROR', 'ETF payloads arrive in binary frames, got text');
    return decodeEtf(data);
  },
};
