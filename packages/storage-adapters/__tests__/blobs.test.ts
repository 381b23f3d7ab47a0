import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BLOB_KEY_LIMITS,
  BlobContentTypeError,
  type BlobStore,
  BlobTooLargeError,
  createLocalDiskBlobStore,
  isBlobError,
  LOCAL_DISK_BLOB_STORE_DEFAULTS,
  readImageDimensions,
  sniffContentType,
  validateBlobKey,
} from '../src/blobs/index.js';
import { countingStream, IMAGES_3X2, listFiles, makePng, tempDirectory } from './blobFixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: BlobStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDirectory());
  store = createLocalDiskBlobStore({ directory: dir, maxBytes: 64 * 1024 });
});

afterEach(async () => {
  await store.close();
  await cleanup();
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('local disk blob store', () => {
  it('defaults to Discord’s 25 MiB upload limit', () => {
    expect(LOCAL_DISK_BLOB_STORE_DEFAULTS.maxBytes).toBe(25 * 1024 * 1024);
  });

  it('round-trips put, stat, get, range get and delete', async () => {
    const body = Buffer.from('hello, attachments\n');
    const info = await store.put('123/456/hello.txt', body, { filename: 'hello.txt' });
    expect(info).toMatchObject({
      key: '123/456/hello.txt',
      size: body.length,
      contentType: 'text/plain; charset=utf-8',
      filename: 'hello.txt',
      sha256: sha256(body),
    });
    expect(info.createdAt).toBeInstanceOf(Date);
    expect(await store.stat('123/456/hello.txt')).toEqual(info);

    const whole = await store.get('123/456/hello.txt');
    expect(whole?.info).toEqual(info);
    expect(await text(whole!.body)).toBe(body.toString());
    const part = await store.get('123/456/hello.txt', { start: 7, end: 17 });
    expect(await text(part!.body)).toBe('attachments');
    await expect(store.get('123/456/hello.txt', { start: 5, end: body.length })).rejects.toMatchObject({
      code: 'BLOB_RANGE_NOT_SATISFIABLE',
    });

    expect(await store.delete('123/456/hello.txt')).toBe(true);
    expect(await store.delete('123/456/hello.txt')).toBe(false);
    expect(await store.stat('123/456/hello.txt')).toBeNull();
    expect(await store.get('123/456/hello.txt')).toBeNull();
    expect(await listFiles(dir)).toEqual([]);
  });

  it('accepts Readable and async-iterable bodies, and keeps keys immutable', async () => {
    const info = await store.put('a/stream.bin', Readable.from([Buffer.from([0, 1, 2]), Buffer.from([3, 4])]), {
      filename: 'stream.bin',
    });
    expect(info).toMatchObject({ size: 5, contentType: 'application/octet-stream' });
    await expect(store.put('a/stream.bin', new Uint8Array([9]), { filename: 'x' })).rejects.toMatchObject({
      code: 'BLOB_EXISTS',
    });
    expect((await store.stat('a/stream.bin'))?.sha256).toBe(sha256(new Uint8Array([0, 1, 2, 3, 4])));
    // Two racing puts of one key: exactly one wins.
    const results = await Promise.allSettled([
      store.put('race/k', Buffer.from('one'), { filename: 'k' }),
      store.put('race/k', Buffer.from('two'), { filename: 'k' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('rejects a streamed upload as soon as it passes maxBytes, leaving nothing on disk', async () => {
    const upload = countingStream(1000, 1024); // 1000 KiB offered, limit 64 KiB
    const error = await store.put('big/file.bin', upload.body, { filename: 'file.bin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobTooLargeError);
    expect(error).toMatchObject({ code: 'BLOB_TOO_LARGE', maxBytes: 64 * 1024 });
    expect(upload.pulled()).toBe(65); // the chunk that crossed the limit, and not one more
    expect(await listFiles(dir)).toEqual([]);
    expect(await store.stat('big/file.bin')).toBeNull();

    // A Readable is destroyed, so its source stops being read too.
    let read = 0;
    const readable = new Readable({
      read() {
        read++;
        this.push(Buffer.alloc(16 * 1024));
      },
    });
    await expect(store.put('big/readable.bin', readable, { filename: 'r' })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(readable.destroyed).toBe(true);
    expect(read).toBeLessThan(20);
    expect(await listFiles(dir)).toEqual([]);

    // A per-put limit overrides the store's; a whole buffer over it is refused before any write.
    await expect(store.put('small/x', new Uint8Array(11), { filename: 'x', maxBytes: 10 })).rejects.toMatchObject({
      code: 'BLOB_TOO_LARGE',
    });
    expect((await store.put('exact/x', new Uint8Array(10), { filename: 'x', maxBytes: 10 })).size).toBe(10);
  });

  it('leaves nothing behind when the body fails mid-stream or the type is refused', async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(1000);
      throw new Error('client went away');
    }
    await expect(store.put('f/x', failing(), { filename: 'x' })).rejects.toThrow('client went away');
    await expect(
      store.put('f/y', Buffer.from('not a png'), { filename: 'y.png', contentType: 'image/png' }),
    ).rejects.toBeInstanceOf(BlobContentTypeError);
    expect(await listFiles(dir)).toEqual([]);
  });

  it('sniffs types and refuses declared images the bytes contradict', async () => {
    const png = IMAGES_3X2.png;
    expect((await store.put('s/1', png, { filename: 'a' })).contentType).toBe('image/png');
    expect((await store.put('s/2', png, { filename: 'a', contentType: 'image/png' })).contentType).toBe('image/png');
    // Aliases are canonicalised; a declared non-image type is kept as declared.
    expect((await store.put('s/3', IMAGES_3X2.jpeg, { filename: 'a', contentType: 'IMAGE/JPG' })).contentType).toBe(
      'image/jpeg',
    );
    expect((await store.put('s/4', png, { filename: 'a', contentType: 'application/x-thing' })).contentType).toBe(
      'application/x-thing',
    );
    for (const [declared, body] of [
      ['image/png', IMAGES_3X2.jpeg],
      ['image/gif', Buffer.from('<html><script>alert(1)</script></html>')],
      ['image/webp', new Uint8Array(0)],
      ['image/svg+xml', png],
    ] as const) {
      const error = await store.put('s/bad', body, { filename: 'x', contentType: declared }).catch((e: unknown) => e);
      expect(error, declared).toBeInstanceOf(BlobContentTypeError);
      expect(isBlobError(error, 'BLOB_CONTENT_TYPE')).toBe(true);
    }
    await expect(
      store.put('s/bad', png, { filename: 'x', contentType: 'text/html\r\nX-Evil: 1' }),
    ).rejects.toMatchObject({
      code: 'BLOB_CONTENT_TYPE',
    });
    expect(await store.stat('s/bad')).toBeNull();

    const pickyDir = join(dir, 'picky');
    const picky = createLocalDiskBlobStore({ directory: pickyDir, allowedContentTypes: ['image/*', 'video/mp4'] });
    expect((await picky.put('ok', IMAGES_3X2.gif, { filename: 'x' })).contentType).toBe('image/gif');
    await expect(picky.put('no', Buffer.from('%PDF-1.7\n'), { filename: 'x.pdf' })).rejects.toMatchObject({
      code: 'BLOB_CONTENT_TYPE',
    });
  });

  it('recognises the common magic numbers', () => {
    const ascii = (s: string) => Buffer.from(s, 'latin1');
    const cases: [Uint8Array, string | undefined][] = [
      [IMAGES_3X2.png, 'image/png'],
      [IMAGES_3X2.jpeg, 'image/jpeg'],
      [IMAGES_3X2.gif, 'image/gif'],
      [IMAGES_3X2.webpLossy, 'image/webp'],
      [ascii('BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00'), 'image/bmp'],
      [ascii('%PDF-1.4\n'), 'application/pdf'],
      [ascii('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00'), 'video/mp4'],
      [ascii('\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00'), 'video/quicktime'],
      [ascii('\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm'), 'video/webm'],
      [Buffer.concat([ascii('OggS'), Buffer.alloc(24), ascii('OpusHead')]), 'audio/ogg'],
      [ascii('ID3\x04\x00'), 'audio/mpeg'],
      [ascii('\xff\xfb\x90\x00'), 'audio/mpeg'],
      [ascii('PK\x03\x04\x14\x00'), 'application/zip'],
      [ascii('just some text\n'), 'text/plain; charset=utf-8'],
      [Buffer.from('héllo ✓'), 'text/plain; charset=utf-8'],
      [ascii('\x00\x01\x02binary'), undefined],
      [ascii('\xc3\x28 invalid utf-8'), undefined],
      [new Uint8Array(0), undefined],
    ];
    for (const [bytes, expected] of cases)
      expect(sniffContentType(bytes), Buffer.from(bytes).toString('hex')).toBe(expected);
  });

  it('reads the dimensions of real PNG, JPEG, GIF and WebP images and stores them', async () => {
    for (const [name, bytes] of Object.entries(IMAGES_3X2)) {
      expect(readImageDimensions(bytes), name).toEqual({ width: 3, height: 2 });
    }
    expect(readImageDimensions(makePng(1000, 1))).toEqual({ width: 1000, height: 1 });
    const info = await store.put('img/x.webp', IMAGES_3X2.webpLossless, { filename: 'x.webp' });
    expect(info).toMatchObject({ contentType: 'image/webp', width: 3, height: 2 });
    expect(await store.stat('img/x.webp')).toMatchObject({ width: 3, height: 2 });
    // Not an image type: no dimensions, even when the bytes are an image.
    const plain = await store.put('img/y', IMAGES_3X2.png, { filename: 'y', contentType: 'application/octet-stream' });
    expect(plain.width).toBeUndefined();
  });

  it('gives no dimensions, and no throw, for truncated or corrupt headers', () => {
    for (const bytes of Object.values(IMAGES_3X2)) {
      for (let cut = 0; cut < Math.min(bytes.length, 200); cut++) {
        const dims = readImageDimensions(bytes.subarray(0, cut));
        if (dims !== undefined) expect(dims).toEqual({ width: 3, height: 2 });
      }
    }
    const zeroSize = makePng(3, 2);
    zeroSize.writeUInt32BE(0, 16);
    expect(readImageDimensions(zeroSize)).toBeUndefined();
    // A JPEG segment claiming length 0 or 1 would loop forever if trusted.
    expect(readImageDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xc0]))).toBeUndefined();
    expect(readImageDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]))).toBeUndefined();
  });

  it('rejects hostile keys before touching the disk', async () => {
    const hostile = [
      '../x',
      '..',
      'a/../../x',
      '%2e%2e/x',
      '/etc/passwd',
      'C:\\Windows\\x',
      'a\\..\\x',
      'a\u0000b',
      'a//b',
      'a/',
      '',
      './x',
      'NUL',
      'com1.txt',
      'ä',
      'x'.repeat(BLOB_KEY_LIMITS.maxLength + 1),
      Array.from({ length: BLOB_KEY_LIMITS.maxSegments + 1 }, () => 'a').join('/'),
      'a/'.repeat(3) + 'y'.repeat(BLOB_KEY_LIMITS.maxSegmentLength + 1),
    ];
    for (const key of hostile) {
      expect(() => validateBlobKey(key), JSON.stringify(key.slice(0, 40))).toThrow(
        expect.objectContaining({ code: 'INVALID_BLOB_KEY' }),
      );
      await expect(store.put(key, Buffer.from('x'), { filename: 'x' })).rejects.toMatchObject({
        code: 'INVALID_BLOB_KEY',
      });
      await expect(store.stat(key)).rejects.toMatchObject({ code: 'INVALID_BLOB_KEY' });
      await expect(store.get(key)).rejects.toMatchObject({ code: 'INVALID_BLOB_KEY' });
      await expect(store.delete(key)).rejects.toMatchObject({ code: 'INVALID_BLOB_KEY' });
    }
    expect(() => validateBlobKey(42)).toThrow(expect.objectContaining({ code: 'INVALID_BLOB_KEY' }));
    expect(validateBlobKey('123456789012345678/987654321/my_file-1.tar.gz')).toBe(
      '123456789012345678/987654321/my_file-1.tar.gz',
    );
    expect(await listFiles(dir)).toEqual([]);
  });

  it('reports a key whose path collides with another key, a bad filename, corrupt metadata and use after close', async () => {
    await store.put('c/file', Buffer.from('x'), { filename: 'x' });
    await expect(store.put('c/file/under', Buffer.from('x'), { filename: 'x' })).rejects.toMatchObject({
      code: 'INVALID_BLOB_KEY',
    });
    await expect(store.put('c/ok', Buffer.from('x'), { filename: 'bad\r\nname' })).rejects.toMatchObject({
      code: 'INVALID_BLOB_ARGUMENT',
    });
    await mkdir(join(dir, 'meta', 'c'), { recursive: true });
    await writeFile(join(dir, 'meta', 'c', 'broken.json'), '{not json');
    await expect(store.stat('c/broken')).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
    await store.close();
    await expect(store.stat('c/file')).rejects.toMatchObject({ code: 'BLOB_STORE_CLOSED' });
  });
});
