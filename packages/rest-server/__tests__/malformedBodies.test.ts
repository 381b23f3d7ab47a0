import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

// A truncated multipart form and a client hanging up mid-body are the client's doing: a 400 (when anyone is left to
// read it), never a 500 and never an internal error in the log.
const onInternalError = vi.fn();
let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp({ uploads: true, onInternalError });
  g = await guildFixture(t, 'owner');
});
afterAll(() => t.close());

describe('bodies the client broke', () => {
  it('a multipart form without its closing boundary is 400 50035, not a 500', async () => {
    for (const payload of [
      'garbage',
      '--x\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n{"content":"hi"}',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v10/channels/${g.channelId}/messages`,
        headers: { authorization: 'Bot owner', 'content-type': 'multipart/form-data; boundary=x' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 50035, errors: { _errors: [{ code: 'CONTENT_TYPE_INVALID' }] } });
    }
    expect(onInternalError).not.toHaveBeenCalled();
  });

  it('a client that hangs up mid-body is not logged as an internal error', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /api/v10/channels/${g.channelId}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bot owner\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"content":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.once('close', () => setTimeout(resolve, 100));
    });
    expect(onInternalError).not.toHaveBeenCalled();
  });
});
