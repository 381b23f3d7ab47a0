// The request-head reader the gateway uses before Node's HTTP parser (src/transport/readRequestHead.ts): a well-formed
// head is read field by field, an unfinished one asks for more, and anything malformed, over a limit or in a form it
// leaves to Node is refused — within its byte and field budgets, whatever the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAD_INCOMPLETE, HEAD_REFUSED, type RequestHead, readRequestHead } from '../src/transport/readRequestHead.js';

const LIMITS = { maxBytes: 1024, maxFields: 8 };
const read = (text: string, limits = LIMITS) => readRequestHead(Buffer.from(text, 'latin1'), limits);

const UPGRADE =
  'GET /?v=10&encoding=json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Feeds `bytes` cut at `cuts`, as reads of a socket would bring them; the result once the last piece is in. */
function readInPieces(bytes: Buffer, cuts: number[], limits = LIMITS) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let checked = 0;
  for (const point of points) {
    const result = readRequestHead(bytes.subarray(0, point), limits, checked);
    if (result !== HEAD_INCOMPLETE) return { result, at: point };
    checked = point;
  }
  return { result: readRequestHead(bytes, limits, checked), at: bytes.length };
}

describe('readRequestHead', () => {
  it('reads the handshake every client sends: fields lower-cased and trimmed, the bytes after it left alone', () => {
    const frame = Buffer.from([0x81, 0x80, 1, 2, 3, 4]);
    const bytes = Buffer.concat([Buffer.from(UPGRADE, 'latin1'), frame]);
    const head = readRequestHead(bytes, LIMITS) as RequestHead;
    expect(head).toEqual({
      method: 'GET',
      target: '/?v=10&encoding=json',
      versionMinor: 1,
      fields: [
        'host',
        '127.0.0.1:8080',
        'upgrade',
        'websocket',
        'connection',
        'Upgrade',
        'sec-websocket-key',
        'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version',
        '13',
      ],
      length: UPGRADE.length,
    });
    expect(bytes.subarray(head.length)).toEqual(frame);
  });

  it('reads HTTP/1.0, other methods, empty values, tabs and obs-text as Node does', () => {
    const head = read('POST /api HTTP/1.0\r\nX-Empty:\r\nX-Tab:\t a\tb \t\r\nX-Latin: caf\xe9\r\n\r\n') as RequestHead;
    expect(head.method).toBe('POST');
    expect(head.versionMinor).toBe(0);
    expect(head.fields).toEqual(['x-empty', '', 'x-tab', 'a\tb', 'x-latin', 'caf\xe9']);
    expect(read('OPTIONS * HTTP/1.1\r\n\r\n')).toMatchObject({ method: 'OPTIONS', target: '*', fields: [] });
  });

  it('asks for more until the empty line, from every prefix', () => {
    for (let i = 0; i < UPGRADE.length; i++) expect(read(UPGRADE.slice(0, i))).toBe(HEAD_INCOMPLETE);
    expect(read(UPGRADE)).not.toBe(HEAD_INCOMPLETE);
  });

  it.each([
    ['no version', 'GET /\r\n\r\n'],
    ['HTTP/2', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\n\r\n'],
    ['lower-case version', 'GET / http/1.1\r\n\r\n'],
    ['two spaces', 'GET  / HTTP/1.1\r\n\r\n'],
    ['space in the target', 'GET /a b HTTP/1.1\r\n\r\n'],
    ['control in the target', 'GET /a\x01 HTTP/1.1\r\n\r\n'],
    ['no method', ' / HTTP/1.1\r\n\r\n'],
    ['method not a token', 'G(T / HTTP/1.1\r\n\r\n'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n'],
    ['no colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n'],
    ['empty field name', 'GET / HTTP/1.1\r\n: a\r\n\r\n'],
    ['obs-fold', 'GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n'],
    ['bare CR in a value', 'GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n'],
    ['bare LF in a value', 'GET / HTTP/1.1\r\nX-A: a\nb\r\n\r\n'],
    ['NUL in a value', 'GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n'],
    ['DEL in a value', 'GET / HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n'],
  ])('refuses a malformed head (%s)', (_what, text) => {
    expect(read(text)).toBe(HEAD_REFUSED);
  });

  it('refuses at once what cannot become a head it reads, without waiting for the rest', () => {
    expect(read('\x16\x03\x01\x02\x00')).toBe(HEAD_REFUSED); // a TLS ClientHello on a plain port
    expect(read('GET / HTTP/1.1\nHost: a\n')).toBe(HEAD_REFUSED); // bare LF line ends
    expect(read(`${'A'.repeat(40)} / HTTP/1.1`)).toBe(HEAD_REFUSED); // no method is that long
    expect(read('GET / HTTP/1.1\r\nHost: a')).toBe(HEAD_INCOMPLETE);
  });

  it('refuses a head over its byte or field budget', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    expect(read(`GET / HTTP/1.1\r\n${fields(8)}\r\n`)).toMatchObject({ method: 'GET' });
    expect(read(`GET / HTTP/1.1\r\n${fields(9)}\r\n`)).toBe(HEAD_REFUSED);
    const padded = (n: number) => `GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(n)}\r\n\r\n`;
    const fits = padded(LIMITS.maxBytes - padded(0).length);
    expect(fits.length).toBe(LIMITS.maxBytes);
    expect(read(fits)).toMatchObject({ length: LIMITS.maxBytes });
    expect(read(padded(LIMITS.maxBytes - padded(0).length + 1))).toBe(HEAD_REFUSED);
    // Unfinished at the budget: refused, not waited for.
    expect(read(`GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(LIMITS.maxBytes)}`)).toBe(HEAD_REFUSED);
  });

  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  const value = fc.stringMatching(/^[\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff\t]{0,30}[\x21-\x7e\x80-\xff])?$/);
  const head = fc.record({
    method: token,
    target: fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/),
    minor: fc.constantFrom(0, 1),
    fields: fc.array(fc.tuple(token, fc.option(value, { nil: '' })), { maxLength: 8 }),
    spaces: fc.constantFrom('', ' ', '\t', '  '),
  });
  const write = (h: typeof head extends fc.Arbitrary<infer T> ? T : never) =>
    `${h.method} ${h.target} HTTP/1.${h.minor}\r\n` +
    h.fields.map(([n, v]) => `${n}:${h.spaces}${v}${h.spaces}\r\n`).join('') +
    '\r\n';

  it('reads every well-formed head within budget as it was written, however its bytes arrive', () => {
    fc.assert(
      fc.property(
        head,
        fc.uint8Array({ maxLength: 20 }),
        fc.array(fc.nat(2000), { maxLength: 12 }),
        (h, after, cuts) => {
          const text = write(h);
          const bytes = Buffer.concat([Buffer.from(text, 'latin1'), after]);
          const { result } = readInPieces(bytes, cuts);
          expect(result).toEqual({
            method: h.method,
            target: h.target,
            versionMinor: h.minor,
            fields: h.fields.flatMap(([n, v]) => [n.toLowerCase(), v]),
            length: text.length,
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any bytes: never throws, stays within its budgets, and reads the same whole or in pieces', () => {
    const limits = { maxBytes: 256, maxFields: 4 };
    // Bytes near the grammar (request lines, separators, controls) as well as noise.
    const piece = fc.oneof(
      fc.constantFrom(
        'GET ',
        '/ ',
        'HTTP/1.1',
        'HTTP/1.0',
        '\r\n',
        '\r',
        '\n',
        ':',
        ' ',
        '\t',
        'a',
        '\x00',
        '\x7f',
        '\xff',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }), fc.array(fc.nat(400), { maxLength: 10 }), (pieces, cuts) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1');
        const whole = readRequestHead(bytes, limits);
        if (whole !== HEAD_INCOMPLETE && whole !== HEAD_REFUSED) {
          expect(whole.length).toBeLessThanOrEqual(limits.maxBytes);
          expect(whole.fields.length).toBeLessThanOrEqual(limits.maxFields * 2);
          // What a head reads is in the bytes it covers: the same read from those bytes alone.
          expect(readRequestHead(bytes.subarray(0, whole.length), limits)).toEqual(whole);
        }
        if (bytes.length >= limits.maxBytes) expect(whole).not.toBe(HEAD_INCOMPLETE);
        // In pieces: the same answer, reached no later than the whole (a refusal may come earlier).
        const { result } = readInPieces(bytes, cuts, limits);
        if (result === HEAD_REFUSED) expect([HEAD_REFUSED]).toContain(whole);
        else expect(result).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });
});
