import { GatewayCloseCodes } from './closeCodes.js';
import { type CompressionName, GATEWAY_VERSION, GATEWAY_VERSIONS } from './constants.js';
import type { EncodingName } from './Encoding.js';
import { ProtocolError } from './ProtocolError.js';

export const ENCODING_NAMES: readonly EncodingName[] = Object.freeze(['json', 'etf', 'msgpack']);
export const COMPRESSION_NAMES: readonly CompressionName[] = Object.freeze(['zlib-stream', 'zstd-stream']);

export interface GatewayQuery {
  version: number;
  encoding: EncodingName;
  compress: CompressionName | null;
}

export interface ParseGatewayQueryOptions {
  /** Accepted `v` values (default `GATEWAY_VERSIONS`: 9 and 10). */
  versions?: readonly number[];
  /** Accepted `encoding` values (default all three). */
  encodings?: readonly EncodingName[];
  /**
   * Accepted `compress` values (default both). A server on a runtime without zstd should pass `['zlib-stream']`
   * (see `zstdAvailable()`).
   */
  compressions?: readonly CompressionName[];
}

/**
 * Rejected connect URL. `code` says which parameter; `closeCode` is set when the protocol has a close code for it
 * (4012 for the version); otherwise a server should refuse the upgrade (HTTP 400).
 */
export class GatewayQueryError extends ProtocolError {
  override readonly name: string = 'GatewayQueryError';
  readonly closeCode: GatewayCloseCodes | null;
  constructor(
    code: 'UNSUPPORTED_VERSION' | 'UNSUPPORTED_ENCODING' | 'UNSUPPORTED_COMPRESSION',
    message: string,
    closeCode: GatewayCloseCodes | null = null,
  ) {
    super(code, message);
    this.closeCode = closeCode;
  }
}

function searchParams(url: string | URL | URLSearchParams): URLSearchParams {
  if (url instanceof URLSearchParams) return url;
  if (url instanceof URL) return url.searchParams;
  // Accepts full URLs, request paths ("/?v=10") and bare query strings ("v=10&encoding=json").
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? (url.includes('=') ? url : '') : url.slice(q + 1));
}

/**
 * Parses `?v=10&encoding=json&compress=zlib-stream` from a connect URL (full URL, request path, query string or
 * URLSearchParams). `encoding` defaults to json and `compress` to none, as on Discord; a missing or unsupported `v`
 * is an error, since the protocol has no default version any more.
 */
export function parseGatewayQuery(
  url: string | URL | URLSearchParams,
  options: ParseGatewayQueryOptions = {},
): GatewayQuery {
  const params = searchParams(url);
  const versions = options.versions ?? GATEWAY_VERSIONS;
  const v = params.get('v');
  const version = v !== null && /^\d{1,3}$/.test(v) ? Number(v) : Number.NaN;
  if (!versions.includes(version)) {
    throw new GatewayQueryError(
      'UNSUPPORTED_VERSION',
      v === null ? 'missing gateway version (v)' : `unsupported gateway version: ${v.slice(0, 16)}`,
      GatewayCloseCodes.InvalidAPIVersion,
    );
  }
  const encoding = params.get('encoding') ?? 'json';
  if (!(options.encodings ?? ENCODING_NAMES).includes(encoding as EncodingName)) {
    throw new GatewayQueryError('UNSUPPORTED_ENCODING', `unsupported encoding: ${encoding.slice(0, 32)}`);
  }
  const compress = params.get('compress');
  // An empty value is what some clients send for "no compression".
  if (
    compress !== null &&
    compress !== '' &&
    !(options.compressions ?? COMPRESSION_NAMES).includes(compress as CompressionName)
  ) {
    throw new GatewayQueryError('UNSUPPORTED_COMPRESSION', `unsupported compression: ${compress.slice(0, 32)}`);
  }
  return {
    version,
    encoding: encoding as EncodingName,
    compress: compress ? (compress as CompressionName) : null,
  };
}

export interface GatewayUrlOptions {
  version?: number;
  encoding?: EncodingName;
  compress?: CompressionName | null;
}

/** Builds the URL a client connects to: `base` plus `?v=…&encoding=…[&compress=…]`, replacing any such parameters. */
export function formatGatewayUrl(base: string, options: GatewayUrlOptions = {}): string {
  const url = new URL(base);
  url.searchParams.set('v', String(options.version ?? GATEWAY_VERSION));
  url.searchParams.set('encoding', options.encoding ?? 'json');
  if (options.compress) url.searchParams.set('compress', options.compress);
  else url.searchParams.delete('compress');
  return url.toString();
}
