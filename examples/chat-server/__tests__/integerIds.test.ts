// Issue #13 cause 7 (REST side of the same class): discord.py writes ids in request bodies as JSON numbers (a reply's
// `message_reference` is `{"message_id": 1200…, "channel_id": 1200…}`), beyond 2^53 where JSON.parse rounds them.

import { openStorage } from '@concord/storage-adapters/open';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/createChatServer.js';

const GENERAL = '1200000000000000001';

describe('integer ids in REST bodies', () => {
  let server: ChatServer;
  const post = (body: string) =>
    fetch(`${server.url}/api/v10/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { Authorization: 'int-ids', 'Content-Type': 'application/json' },
      body,
    });
  beforeAll(async () => {
    server = await createChatServer({ storage: await openStorage(':memory:'), port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a reply whose message_reference ids are JSON integers beyond 2^53 points at the exact message', async () => {
    const first = (await (await post(JSON.stringify({ content: 'first' }))).json()) as { id: string };
    expect(BigInt(first.id) > 2n ** 53n).toBe(true);
    const res = await post(
      `{"content": "reply", "message_reference": {"message_id": ${first.id}, "channel_id": ${GENERAL}}}`,
    );
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { message_reference?: { message_id: string } };
    expect(reply.message_reference?.message_id).toBe(first.id);
  });

  it('garbage ids are still refused with 400', async () => {
    const res = await post('{"content": "reply", "message_reference": {"message_id": 1.5}}');
    expect(res.status).toBe(400);
  });
});
