import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore } from './BlobStore.js';
import { formatContentDisposition } from './formatContentDisposition.js';
import { parseRangeHeader } from './parseRangeHeader.js';
import { isValidBlobKey } from './validateBlobKey.js';

export interface BlobRequestHandlerOptions {
  /** URL path prefix the handler answers under; must start and end with '/'. Default `/attachments/`. */
  prefix?: string;
  /** Default: a year, immutable. Safe because a key is written once and never changes. */
  cacheControl?: string;
}

export const BLOB_REQUEST_HANDLER_DEFAULTS = {
  prefix: '/attachments/',
  cacheControl: 'public, max-age=31536000, immutable',
} as const satisfies Required<BlobRequestHandlerOptions>;

/** Returns true when the request was answered (its path is under the prefix), false to let the next handler try. */
export type BlobRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const etagOf = (info: BlobInfo): string => `"${info.sha256}"`;

/** `If-None-Match`: `*`, or a list of entity tags compared weakly (RFC 9110 section 13.1.2). */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** `If-Range`: an entity tag (strong comparison) or the exact Last-Modified date; anything else fails. */
function ifRangeHolds(header: string, etag: string, lastModified: string): boolean {
  const value = header.trim();
  return value.startsWith('"') ? value === etag : value === lastModified;
}

/** The key from the path: the part after the prefix, percent-decoded once; undefined for anything not a valid key. */
function keyFromPath(path: string, prefix: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(path.slice(prefix.length));
  } catch {
    return undefined;
  }
  return isValidBlobKey(key) ? key : undefined;
}

function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * Serves blobs like Discord's CDN, as a node:http handler (mountable in Fastify, Express or a bare server): GET and
 * HEAD, with ETag (the SHA-256), conditional requests, single byte ranges and Content-Disposition. The path after the
 * prefix is the key; an invalid key is a 404, as is an unknown one.
 */
export function createBlobRequestHandler(
  store: BlobStore,
  options: BlobRequestHandlerOptions = {},
): BlobRequestHandler {
  const prefix = options.prefix ?? BLOB_REQUEST_HANDLER_DEFAULTS.prefix;
  const cacheControl = options.cacheControl ?? BLOB_REQUEST_HANDLER_DEFAULTS.cacheControl;
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new TypeError('prefix must start and end with "/"');

  return async (req, res) => {
    const url = req.url;
    if (url === undefined) return false;
    const queryAt = url.search(/[?#]/);
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (!path.startsWith(prefix)) return false;

    const plain = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { ...plain, Allow: 'GET, HEAD' }, 'method not allowed\n');
      return true;
    }
    const key = keyFromPath(path, prefix);
    try {
      const info = key === undefined ? null : await store.stat(key);
      if (key === undefined || info === null) {
        send(res, 404, plain, 'not found\n');
        return true;
      }
      const etag = etagOf(info);
      const lastModified = info.createdAt.toUTCString();
      const common: OutgoingHttpHeaders = {
        ETag: etag,
        'Last-Modified': lastModified,
        'Cache-Control': cacheControl,
        'Accept-Ranges': 'bytes',
        'X-Content-Type-Options': 'nosniff',
      };
      // If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 section 13.2.2).
      const ifNoneMatch = req.headers['if-none-match'];
      const ifModifiedSince = req.headers['if-modified-since'];
      const notModified =
        ifNoneMatch !== undefined
          ? noneMatch(ifNoneMatch, etag)
          : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= info.createdAt.getTime();
      if (notModified) {
        send(res, 304, common);
        return true;
      }

      const full: OutgoingHttpHeaders = {
        ...common,
        'Content-Type': info.contentType,
        'Content-Disposition': formatContentDisposition(info.filename, info.contentType),
      };
      // Ranges are defined for GET only; HEAD describes the whole representation.
      const rangeHeader = req.method === 'GET' ? req.headers.range : undefined;
      const ifRange = req.headers['if-range'];
      const range =
        ifRange === undefined || (typeof ifRange === 'string' && ifRangeHolds(ifRange, etag, lastModified))
          ? parseRangeHeader(rangeHeader, info.size)
          : ({ kind: 'none' } as const);
      if (range.kind === 'unsatisfiable') {
        send(res, 416, { ...plain, ...common, 'Content-Range': `bytes */${info.size}` });
        return true;
      }
      if (req.method === 'HEAD') {
        send(res, 200, { ...full, 'Content-Length': info.size });
        return true;
      }
      const partial = range.kind === 'range';
      const read = await store.get(key, partial ? { start: range.start, end: range.end } : undefined);
      if (read === null) {
        send(res, 404, plain, 'not found\n');
        return true;
      }
      res.writeHead(
        partial ? 206 : 200,
        partial
          ? {
              ...full,
              'Content-Length': range.end - range.start + 1,
              'Content-Range': `bytes ${range.start}-${range.end}/${info.size}`,
            }
          : { ...full, 'Content-Length': info.size },
      );
      // A client that goes away mid-download rejects the pipeline; both streams are destroyed, nothing to report.
      await pipeline(read.body, res).catch(() => undefined);
      return true;
    } catch (error) {
      if (!res.headersSent) send(res, 500, plain, 'internal error\n');
      else res.destroy(error instanceof Error ? error : undefined);
      return true;
    }
  };
}
