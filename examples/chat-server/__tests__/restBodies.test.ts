import { performance } from 'node:perf_hooks';
import { openStorage } from '@concord/storage-adapters/open';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChatServer, createChatServer } from '../src/createChatServer.js';
import { type RawResponse, rawRequest, requestHead } from './rawHttp.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const GENERAL = '1200000000000000001';
const PATH = `/api/v10/channels/${GENERAL}/messages`;
// rest-server's default JSON cap (defaultRestOptions.maxJsonBytes).
const JSON_CAP = 256 * 1024;
const NO_LIMIT = { limit: 1e9, windowMs: 1000 };

/** Heap + buffers in use: what a request could make the server keep. */
const inUse = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Runs `run` and checks it stayed within `ms` and `bytes` (orders of magnitude, not the machine's speed). */
async function withinBudget<T>(ms: number, bytes: number, run: () => Promise<T>): Promise<T> {
  const before = inUse();
  const started = performance.now();
  const result = await run();
  expect(performance.now() - started).toBeLessThan(ms);
  expect(inUse() - before).toBeLessThan(bytes);
  return result;
}

/** Discord's error object for a refused body: 50109 (invalid JSON), 50035 (invalid form body, with `errors`), 50006. */
function expectDiscordError(status: number, body: Json) {
  expect(status).toBe(400);
  expect(typeof body.message).toBe('string');
  expect([50109, 50035, 50006]).toContain(body.code);
  if (body.code === 50035) expect(typeof body.errors).toBe('object');
}

describe('REST bodies: hostile input is refused with Discord’s error object, within budgets', () => {
  let server: ChatServer;
  let port: number;
  const errors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    server = await createChatServer({
      storage: await openStorage(':memory:'),
      port: 0,
      rateLimits: {
        createMessage: NO_LIMIT,
        global: NO_LIMIT,
        unauthenticated: NO_LIMIT,
        invalidRequests: NO_LIMIT,
      },
      idleTimeoutMs: 500,
    });
    port = Number(new URL(server.url).port);
    // The first request pays for JIT and lazy imports; the budgets below are for steady state.
    await post(JSON.stringify({ content: 'warm-up' }));
  });
  afterAll(async () => {
    await server?.close();
    errors.mockRestore();
  });

  const post = (body: Uint8Array<ArrayBuffer> | string, contentType = 'application/json') =>
    fetch(`${server.url}${PATH}`, {
      method: 'POST',
      headers: { Authorization: 'fuzzer', 'Content-Type': contentType },
      body,
    });
  const raw = (headers: Record<string, string | number>, write: Parameters<typeof rawRequest>[2], deadlineMs = 3000) =>
    rawRequest(port, requestHead('POST', PATH, { Authorization: 'fuzzer', ...headers }), write, deadlineMs);

  it('arbitrary bytes as a JSON body: 200 or 400 with 50109/50035/50006, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await withinBudget(2000, 16 << 20, async () => {
          const res = await post(new Uint8Array(bytes));
          const body = (await res.json()) as Json;
          if (res.status !== 200) expectDiscordError(res.status, body);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary JSON values in every field: 200 or a 400 naming a field, never a 500', async () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const message = fc.record(
      {
        content: fc.oneof(fc.string({ maxLength: 30 }), value),
        nonce: value,
        message_reference: fc.oneof(
          value,
          fc.record({ message_id: fc.oneof(fc.stringMatching(/^\d{1,22}$/), value), fail_if_not_exists: value }),
        ),
        tts: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(message, value), async (payload) => {
        await withinBudget(2000, 16 << 20, async () => {
          const res = await post(JSON.stringify(payload));
          const body = (await res.json()) as Json;
          if (res.status === 200) return;
          // A valid TTS message from a member without SEND_TTS_MESSAGES is Discord's 403 50013, not a body error.
          if (res.status === 403 && (payload as { tts?: unknown } | null)?.tts === true) {
            expect(body.code).toBe(50013);
            return;
          }
          expectDiscordError(res.status, body);
          // Refusals name the field (or the root), never an internal error text.
          if (body.code === 50035) {
            for (const key of Object.keys(body.errors)) {
              expect(['content', 'nonce', 'message_reference', 'tts', '_errors']).toContain(key);
            }
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('deep JSON (as deep as the size cap allows) is refused at once', async () => {
    const depth = JSON_CAP / 2 - 16;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    for (const body of [
      deep,
      `{"content":${deep.slice(16, -16)}}`,
      `{"content":"hi","nonce":${deep.slice(32, -32)}}`,
    ]) {
      await withinBudget(2000, 32 << 20, async () => {
        const res = await post(body);
        expectDiscordError(res.status, await res.json());
      });
    }
  });

  it('invalid UTF-8 in a JSON string is invalid JSON (50109), not silently replaced', async () => {
    const bytes = Buffer.concat([Buffer.from('{"content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await post(new Uint8Array(bytes));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 50109, message: 'The request body contains invalid JSON.' });
  });

  it('a declared Content-Length over the cap is refused before any byte is read (413, 40005), and the connection closes', async () => {
    const res = await withinBudget(2000, 16 << 20, () =>
      raw({ 'Content-Type': 'application/json', 'Content-Length': 10_000_000_000 }, (s) => {
        s.write('{"content":');
      }),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ code: 40005, message: 'Request entity too large' });
    expect(res.closed).toBe(true);
  });

  it('a chunked body that passes the cap gets 413 (not a reset), and the rest is not read', async () => {
    const res = await raw({ 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, (s) => {
      const chunk = Buffer.alloc(JSON_CAP + 1000, 0x20);
      s.write(`${chunk.length.toString(16)}\r\n`);
      s.write(chunk);
      s.write('\r\n');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 40005 });
    expect(res.closed).toBe(true);
  });

  it('an endless body is cut off: the server stops reading and keeps no more than the cap', async () => {
    let written = 0;
    let peak = 0;
    const base = inUse();
    const sampler = setInterval(() => {
      peak = Math.max(peak, inUse() - base);
    }, 5);
    try {
      const res: RawResponse = await raw(
        { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        async (s) => {
          const chunk = Buffer.alloc(256 * 1024, 0x20);
          const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
          while (!s.destroyed && written < 256 << 20) {
            written += frame.length;
            if (!s.write(frame)) await new Promise((r) => s.once('drain', r).once('close', r));
          }
        },
      );
      expect([0, 413]).toContain(res.status);
    } finally {
      clearInterval(sampler);
    }
    // Loopback socket buffers hold a few MB; the point is that the 256 MB offered were not taken.
    expect(written).toBeLessThan(64 << 20);
    expect(peak).toBeLessThan(64 << 20);
  });

  it('a body shorter than its Content-Length is cut off (idle timeout) instead of holding the request open', async () => {
    const res = await raw({ 'Content-Type': 'application/json', 'Content-Length': 100 }, (s) => {
      s.write('{"content":"hi"');
    });
    expect([0, 408]).toContain(res.status);
    expect(res.closed).toBe(true);
  });

  it('a client that hangs up mid-body costs nothing and logs no server error', async () => {
    errors.mockClear();
    await raw({ 'Content-Type': 'application/json', 'Content-Length': 100 }, (s) => {
      s.end('{"content":');
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).not.toHaveBeenCalled();
    // The server still answers.
    expect((await post(JSON.stringify({ content: 'after the hang-up' }))).status).toBe(200);
  });

  describe('multipart/form-data: attachments go to the blob store, hostile forms are refused in Discord’s shape', () => {
    const multipart = (boundary: string, parts: string[]) =>
      `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`;
    const payloadPart = 'Content-Disposition: form-data; name="payload_json"\r\n\r\n{"content":"hi"}';
    const filePart = (i: number) =>
      `Content-Disposition: form-data; name="files[${i}]"; filename="f${i}.txt"\r\nContent-Type: text/plain\r\n\r\nhello`;

    it('payload_json with a file: the attachment is served by the CDN route on the same port', async () => {
      const b = 'concord-boundary';
      const res = await post(multipart(b, [payloadPart, filePart(0)]), `multipart/form-data; boundary=${b}`);
      expect(res.status).toBe(200);
      const message = (await res.json()) as Json;
      expect(message.content).toBe('hi');
      expect(message.attachments).toMatchObject([{ filename: 'f0.txt', size: 5 }]);
      expect(message.attachments[0].url).toBe(
        `${server.url}/cdn/attachments/${GENERAL}/${message.attachments[0].id}/f0.txt`,
      );
      const served = await fetch(message.attachments[0].url);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe('hello');
    });

    it('many parts, a giant boundary, and arbitrary bytes', async () => {
      await withinBudget(2000, 32 << 20, async () => {
        const b = 'x';
        const many = multipart(b, [payloadPart, ...Array.from({ length: 5000 }, (_, i) => filePart(i))]);
        const res = await post(many.slice(0, JSON_CAP - 1), `multipart/form-data; boundary=${b}`);
        expectDiscordError(res.status, await res.json());
      });
      const giant = 'b'.repeat(4000);
      const res = await post(multipart(giant, [payloadPart]), `multipart/form-data; boundary=${giant}`);
      if (res.status !== 200) expectDiscordError(res.status, await res.json());
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 4096 }),
          fc.string({ maxLength: 70 }),
          async (bytes, boundary) => {
            await withinBudget(2000, 16 << 20, async () => {
              const type = `multipart/form-data; boundary=${boundary.replace(/[^\x21-\x7e]/g, 'x')}`;
              const res = await post(new Uint8Array(bytes), type);
              expectDiscordError(res.status, await res.json());
            });
          },
        ),
        { numRuns: 50 },
      );
    });
  });

  it('never answered 500 nor logged a failed request', () => {
    expect(errors).not.toHaveBeenCalled();
  });
});
