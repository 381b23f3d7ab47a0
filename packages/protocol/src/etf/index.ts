// `@concord/protocol/etf`: the Erlang term format codec. `encodings.etf` in the main entry is `etfEncoding`; the
// functions and `EtfError` (its `offset` says where decoding failed) are here.
export { decodeEtf, type EtfDecodeOptions } from './decodeEtf.js';
export { EtfError, type EtfErrorCode } from './EtfError.js';
export { encodeEtf } from './encodeEtf.js';
export { etfEncoding } from './etfEncoding.js';
