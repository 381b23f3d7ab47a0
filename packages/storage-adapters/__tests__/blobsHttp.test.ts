import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BlobInfo,
  type BlobStore,
  createBlobRequestHandler,
  createLocalDiskBlobStore,
} from '../src/blobs/index.js';
import { IMAGES_3X2, tempDirectory } from './blobFixtures.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let server: Server;
let port: number;
let store: BlobStore;
let cleanup: () => Promise<void>;
let png: BlobInfo;
let doc: BlobInfo;
const DOC = Buffer.from('0123456789abcdefghij'); // 20 bytes, easy to check slices of

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Host/port/path options, not a URL: a URL would be normalised (`%2e%2e` resolved) before it left the client.
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const temp = await tempDirectory();
  cleanup = temp.cleanup;
  store = createLocalDiskBlobStore({ directory: temp.dir });
  png = await store.put('111/222/red.png', IMAGES_3X2.png, { filename: 'red.png' });
  doc = await store.put('111/333/notes.txt', DOC, { filename: 'résumé "final".txt' });
  const handle = createBlobRequestHandler(store);
  server = createServer((req, res) => {
    handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end('not mine');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  await cleanup();
});

describe('blob request handler', () => {
  it('serves a GET with the CDN headers', async () => {
    const reply = await call('GET', '/attachments/111/222/red.png?ex=abc&is=def');
    expect(reply.status).toBe(200);
    expect(reply.body.equals(IMAGES_3X2.png)).toBe(true);
    expect(reply.headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(IMAGES_3X2.png.length),
      etag: `"${png.sha256}"`,
      'last-modified': png.createdAt.toUTCString(),
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      'content-disposition': `inline; filename="red.png"; filename*=UTF-8''red.png`,
      'x-content-type-options': 'nosniff',
    });
  });

  it('serves non-media as a download with an RFC 6266 filename', async () => {
    const reply = await call('GET', '/attachments/111/333/notes.txt');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reply.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`,
    );
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await call('HEAD', '/attachments/111/333/notes.txt', { Range: 'bytes=0-1' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('20');
    expect(reply.headers.etag).toBe(`"${doc.sha256}"`);
    expect(reply.body.length).toBe(0);
  });

  it('answers conditional requests with 304', async () => {
    const etag = `"${doc.sha256}"`;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const reply = await call('GET', '/attachments/111/333/notes.txt', { 'If-None-Match': value });
      expect(reply.status, value).toBe(304);
      expect(reply.body.length).toBe(0);
      expect(reply.headers.etag).toBe(etag);
    }
    expect((await call('GET', '/attachments/111/333/notes.txt', { 'If-None-Match': '"other"' })).status).toBe(200);
    const since = { 'If-Modified-Since': doc.createdAt.toUTCString() };
    expect((await call('GET', '/attachments/111/333/notes.txt', since)).status).toBe(304);
  });

  it('serves the three single-range forms with 206', async () => {
    for (const [range, start, end] of [
      ['bytes=2-5', 2, 5],
      ['bytes=15-', 15, 19],
      ['bytes=-4', 16, 19],
      ['bytes=10-999', 10, 19],
    ] as const) {
      const reply = await call('GET', '/attachments/111/333/notes.txt', { Range: range });
      expect(reply.status, range).toBe(206);
      expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/20`);
      expect(reply.headers['content-length']).toBe(String(end - start + 1));
      expect(reply.body.toString()).toBe(DOC.subarray(start, end + 1).toString());
    }
  });

  it('answers 416 for unsatisfiable ranges, and 200 for multiple, malformed or stale If-Range ones', async () => {
    for (const range of ['bytes=20-', 'bytes=25-30', 'bytes=-0']) {
      const reply = await call('GET', '/attachments/111/333/notes.txt', { Range: range });
      expect(reply.status, range).toBe(416);
      expect(reply.headers['content-range']).toBe('bytes */20');
    }
    for (const range of ['bytes=0-1,5-6', 'bytes=5-2', 'bytes=abc', 'items=0-1', 'bytes=1-2-3']) {
      const reply = await call('GET', '/attachments/111/333/notes.txt', { Range: range });
      expect(reply.status, range).toBe(200);
      expect(reply.body.equals(DOC)).toBe(true);
    }
    const stale = await call('GET', '/attachments/111/333/notes.txt', { Range: 'bytes=0-1', 'If-Range': '"old"' });
    expect(stale.status).toBe(200);
    const fresh = await call('GET', '/attachments/111/333/notes.txt', {
      Range: 'bytes=0-1',
      'If-Range': `"${doc.sha256}"`,
    });
    expect(fresh.status).toBe(206);
  });

  it('answers 404 for unknown and invalid keys, never 500', async () => {
    for (const path of [
      '/attachments/111/999/none.png',
      '/attachments/',
      '/attachments/%2e%2e/%2e%2e/etc/passwd',
      '/attachments/..%2f..%2fetc%2fpasswd',
      '/attachments/%252e%252e/x',
      '/attachments/a%00b',
      '/attachments/%E0%A4%A',
      '/attachments//111/222/red.png',
      `/attachments/${'x'.repeat(5000)}`,
    ]) {
      const reply = await call('GET', path);
      expect(reply.status, path.slice(0, 60)).toBe(404);
    }
  });

  it('answers 405 for other methods, and leaves other paths to the next handler', async () => {
    const reply = await call('POST', '/attachments/111/222/red.png');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect((await call('GET', '/avatars/1/2.png')).status).toBe(418);
    expect((await call('GET', '/attachments')).status).toBe(418);
  });

  it('decodes percent-escapes once', async () => {
    await store.put('111/444/a-b_c.txt', Buffer.from('x'), { filename: 'a b.txt' });
    expect((await call('GET', '/attachments/111/444/a%2Db%5Fc.txt')).status).toBe(200);
    // '%2F' decodes to '/', which is a separator of the key like any other.
    expect((await call('GET', '/attachments/111%2F444%2Fa-b_c.txt')).status).toBe(200);
  });
});
