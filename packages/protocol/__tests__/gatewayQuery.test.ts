import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGatewayUrl, GatewayQueryError, parseGatewayQuery } from '../src/index.js';

describe('parseGatewayQuery', () => {
  it('reads v, encoding and compress from URLs, paths and query strings', () => {
    expect(parseGatewayQuery('wss://gateway.example/?v=10&encoding=etf&compress=zlib-stream')).toEqual({
      version: 10,
      encoding: 'etf',
      compress: 'zlib-stream',
    });
    expect(parseGatewayQuery('/?v=10')).toEqual({ version: 10, encoding: 'json', compress: null });
    expect(parseGatewayQuery('v=10&encoding=msgpack&compress=')).toEqual({
      version: 10,
      encoding: 'msgpack',
      compress: null,
    });
    expect(parseGatewayQuery(new URLSearchParams('v=10&compress=zstd-stream')).compress).toBe('zstd-stream');
  });

  it('accepts v=9 and v=10 by default, as Discord serves both (issue #13: a Go library defaults to v9)', () => {
    expect(parseGatewayQuery('/?v=9&encoding=json').version).toBe(9);
    expect(parseGatewayQuery('/?v=10&encoding=json').version).toBe(10);
    expect(() => parseGatewayQuery('/?v=9', { versions: [10] })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VERSION', closeCode: 4012 }),
    );
  });

  it('rejects a missing or unsupported version with close code 4012', () => {
    for (const url of ['/', '/?v=8', '/?v=11', '/?v=6', '/?v=10.0', '/?v=abc', '/?v=']) {
      expect(() => parseGatewayQuery(url), url).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED_VERSION', closeCode: 4012 }),
      );
    }
  });

  it('rejects unknown encodings and compressions', () => {
    expect(() => parseGatewayQuery('/?v=10&encoding=xml')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_ENCODING', closeCode: null }),
    );
    expect(() => parseGatewayQuery('/?v=10&compress=gzip')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION' }),
    );
    expect(() => parseGatewayQuery('/?v=10&compress=zstd-stream', { compressions: ['zlib-stream'] })).toThrow(
      GatewayQueryError,
    );
  });

  it('never throws anything but GatewayQueryError on random input', () => {
    fc.assert(
      fc.property(fc.string(), (query) => {
        try {
          parseGatewayQuery(query);
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayQueryError);
        }
      }),
    );
  });

  it('round-trips with formatGatewayUrl', () => {
    const url = formatGatewayUrl('wss://gateway.example/?compress=zstd-stream', { encoding: 'etf' });
    expect(url).toBe('wss://gateway.example/?v=10&encoding=etf');
    expect(parseGatewayQuery(formatGatewayUrl('ws://h/', { compress: 'zlib-stream' })).compress).toBe('zlib-stream');
  });
});
