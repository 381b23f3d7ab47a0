export { decodeEtf, type EtfDecodeOptions } from './decodeEtf.js';
export { EtfError, type EtfErrorCode } from './EtfError.js';
export { encodeEtf } from './encodeEtf.js';
export { etfEncoding } from './etfEncoding.js';
