// Interactions over HTTP and the gateway, on a whole node: a bot registers a command, a user invokes it the way
// Discord's client does (`POST /interactions`), the bot answers through the callback and the interaction webhook
// (no Authorization header: the token is the credential), and each session hears what Discord would tell it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserData } from '@concord/gateway-server';
import { createInMemoryStore } from '@concord/storage-adapters';
import { type BlobStore, createLocalDiskBlobStore } from '@concord/storage-adapters/blobs';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConcordNode, startConcordNode } from './helpers/concordNode.js';
import { GatewayClient } from './helpers/gatewayClient.js';
import { multipart } from './helpers/multipart.js';

const users = new Map<string, UserData>([
  ['owner-token', { id: '7000', username: 'owner' }],
  ['alice-token', { id: '7001', username: 'alice' }],
  ['bob-token', { id: '7002', username: 'bob' }],
  ['bot-token', { id: '7009', username: 'echo', bot: true }],
]);
const BOT = '7009';
const ALICE = '7001';

let node: ConcordNode;
let blobs: BlobStore;
let dir: string;
let guildId: string;
let channelId: string;
let commandId: string;
let bot: GatewayClient;
let alice: GatewayClient;
let bob: GatewayClient;
let nonce = 100;

async function call(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: wire JSON, read field by field by the assertions
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${node.url}/api/v10${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bot ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function invoke(options: unknown[] = [{ type: 3, name: 'text', value: 'hi' }]) {
  const n = String(++nonce);
  return call('alice-token', 'POST', '/interactions', {
    type: 2,
    application_id: BOT,
    guild_id: guildId,
    channel_id: channelId,
    session_id: 'alice-session',
    nonce: n,
    data: { id: commandId, name: 'echo', type: 1, options },
  }).then(async (res) => {
    expect(res.status, JSON.stringify(res.json)).toBe(204);
    const created = await bot.waitFor('INTERACTION_CREATE', (d) => d.data?.id === commandId && d.id && !seen.has(d.id));
    seen.add(created.d.id);
    return { ...created.d, nonce: n };
  });
}
const seen = new Set<string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concord-interactions-'));
  blobs = createLocalDiskBlobStore({ directory: dir });
  node = await startConcordNode({
    store: createInMemoryEntityStore(),
    messages: createInMemoryStore(),
    blobs,
    users,
  });
  for (const token of users.keys()) await call(token, 'GET', '/users/@me');
  const guild = await call('owner-token', 'POST', '/guilds', { name: 'Commands' });
  guildId = guild.json.id;
  const channels = await call('owner-token', 'GET', `/guilds/${guildId}/channels`);
  channelId = channels.json.find((c: { type: number }) => c.type === 0).id;
  const invite = await call('owner-token', 'POST', `/channels/${channelId}/invites`, { max_uses: 0 });
  for (const token of ['alice-token', 'bob-token']) await call(token, 'POST', `/invites/${invite.json.code}`);
  const added = await call('owner-token', 'POST', `/oauth2/authorize?client_id=${BOT}&scope=bot`, {
    guild_id: guildId,
    permissions: '3072',
    authorize: true,
  });
  expect(added.status, JSON.stringify(added.json)).toBe(200);
  const registered = await call('bot-token', 'PUT', `/applications/${BOT}/commands`, [
    {
      name: 'echo',
      description: 'Echoes',
      options: [{ type: 3, name: 'text', description: 'What to say', required: true }],
    },
    {
      name: 'upload',
      description: 'Takes a file',
      options: [{ type: 11, name: 'file', description: 'A file', required: true }],
    },
  ]);
  expect(registered.status, JSON.stringify(registered.json)).toBe(200);
  commandId = registered.json[0].id;
  bot = await GatewayClient.identify(node.url, 'bot-token');
  alice = await GatewayClient.identify(node.url, 'alice-token');
  bob = await GatewayClient.identify(node.url, 'bob-token');
});

afterAll(async () => {
  for (const c of [bot, alice, bob]) c?.close();
  await node?.close();
  await blobs?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a command through HTTP and the gateway', () => {
  it('the user sees the command in the guild index', async () => {
    const index = await call('alice-token', 'GET', `/guilds/${guildId}/application-command-index`);
    expect(index.status).toBe(200);
    expect(index.json.application_commands.map((c: { name: string }) => c.name)).toContain('echo');
  });

  it('invoke → callback with_response → everyone in the channel sees the type 20 reply; the invoker hears success', async () => {
    const d = await invoke();
    expect(d).toMatchObject({ type: 2, guild_id: guildId, channel_id: channelId, member: { user: { id: ALICE } } });
    const res = await call(null, 'POST', `/interactions/${d.id}/${d.token}/callback?with_response=true`, {
      type: 4,
      data: {
        content: 'hi',
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }],
      },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({
      interaction: { id: d.id, type: 2, response_message_loading: false, response_message_ephemeral: false },
      resource: { type: 4, message: { type: 20, content: 'hi', webhook_id: BOT } },
    });
    const id = res.json.resource.message.id;
    await bob.waitFor('MESSAGE_CREATE', (m) => m.id === id);
    await alice.waitFor('INTERACTION_SUCCESS', (e) => e.id === d.id && e.nonce === d.nonce);
    const again = await call(null, 'POST', `/interactions/${d.id}/${d.token}/callback`, { type: 5 });
    expect(again).toMatchObject({ status: 400, json: { code: 40060 } });
    const wrong = await call(null, 'POST', `/interactions/${d.id}/${d.token.slice(0, -2)}xx/callback`, { type: 5 });
    expect(wrong).toMatchObject({ status: 404, json: { code: 10062 } });
  });

  it('deferred ephemeral → edit @original → follow-up → get → delete, by token alone; only the invoker sees them', async () => {
    const d = await invoke();
    const deferred = await call(null, 'POST', `/interactions/${d.id}/${d.token}/callback`, {
      type: 5,
      data: { flags: 64 },
    });
    expect(deferred.status).toBe(204);
    const thinking = await alice.waitFor(
      'MESSAGE_CREATE',
      (m) => (m.flags & 128) !== 0 && m.interaction_metadata?.id === d.id,
    );
    expect(thinking.d.flags).toBe(64 | 128);
    const hook = `/webhooks/${BOT}/${d.token}`;
    const edited = await call(null, 'PATCH', `${hook}/messages/@original`, { content: 'done' });
    expect(edited).toMatchObject({ status: 200, json: { id: thinking.d.id, content: 'done', flags: 64 } });
    await alice.waitFor('MESSAGE_UPDATE', (m) => m.id === thinking.d.id && m.content === 'done');
    const follow = await call(null, 'POST', hook, { content: 'more' });
    expect(follow).toMatchObject({ status: 200, json: { content: 'more', type: 20 } });
    expect((await call(null, 'GET', `${hook}/messages/@original`)).json.content).toBe('done');
    expect((await call(null, 'DELETE', `${hook}/messages/${follow.json.id}`)).status).toBe(204);
    expect((await call(null, 'GET', `${hook}/messages/${follow.json.id}`)).json.code).toBe(10008);
    await bob.waitFor('MESSAGE_CREATE', (m) => m.id === follow.json.id);
    expect(bob.events.some((e) => e.d?.id === thinking.d.id)).toBe(false);
  });

  it('multipart: the invocation as payload_json, a response with a file', async () => {
    const n = String(++nonce);
    const invocation = await multipart([
      {
        name: 'payload_json',
        value: JSON.stringify({
          type: 2,
          application_id: BOT,
          guild_id: guildId,
          channel_id: channelId,
          nonce: n,
          data: { id: commandId, name: 'echo', type: 1, options: [{ type: 3, name: 'text', value: 'file' }] },
        }),
      },
    ]);
    const res = await fetch(`${node.url}/api/v10/interactions`, {
      method: 'POST',
      headers: { authorization: 'Bot alice-token', ...invocation.headers },
      body: new Uint8Array(invocation.payload),
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const d = (await bot.waitFor('INTERACTION_CREATE', (e) => e.data?.options?.[0]?.value === 'file')).d;
    seen.add(d.id);
    const answer = await multipart([
      { name: 'payload_json', value: JSON.stringify({ type: 4, data: { content: 'here', attachments: [{ id: 0 }] } }) },
      { name: 'files[0]', value: 'hello', filename: 'note.txt', type: 'text/plain' },
    ]);
    // discord.py spells the flag `1`.
    const cb = await fetch(`${node.url}/api/v10/interactions/${d.id}/${d.token}/callback?with_response=1`, {
      method: 'POST',
      headers: answer.headers,
      body: new Uint8Array(answer.payload),
    });
    const body = await cb.json();
    expect(cb.status, JSON.stringify(body)).toBe(200);
    expect(body.resource.message.attachments[0]).toMatchObject({ filename: 'note.txt' });
  });

  it('an ATTACHMENT option: the file goes with the invocation (multipart), the application gets it in resolved', async () => {
    const upload = (await call('bot-token', 'GET', `/applications/${BOT}/commands`)).json.find(
      (c: { name: string }) => c.name === 'upload',
    );
    const body = await multipart([
      {
        name: 'payload_json',
        value: JSON.stringify({
          type: 2,
          application_id: BOT,
          guild_id: guildId,
          channel_id: channelId,
          data: {
            id: upload.id,
            name: 'upload',
            type: 1,
            options: [{ type: 11, name: 'file', value: 0 }],
            attachments: [{ id: '0', filename: 'notes.txt' }],
          },
        }),
      },
      { name: 'files[0]', value: 'some notes', filename: 'notes.txt', type: 'text/plain' },
    ]);
    const res = await fetch(`${node.url}/api/v10/interactions`, {
      method: 'POST',
      headers: { authorization: 'Bot alice-token', ...body.headers },
      body: new Uint8Array(body.payload),
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const d = (await bot.waitFor('INTERACTION_CREATE', (e) => e.data?.name === 'upload')).d;
    seen.add(d.id);
    const id = d.data.options[0].value;
    expect(d.data.resolved.attachments[id]).toMatchObject({ id, filename: 'notes.txt', size: 10 });
    const file = await fetch(d.data.resolved.attachments[id].url);
    expect(await file.text()).toBe('some notes');
    const missing = await call('alice-token', 'POST', '/interactions', {
      type: 2,
      application_id: BOT,
      guild_id: guildId,
      channel_id: channelId,
      data: { id: upload.id, name: 'upload', type: 1, options: [{ type: 11, name: 'file', value: 0 }] },
    });
    expect(missing).toMatchObject({ status: 400, json: { code: 50035 } });
  });

  it('refusals: unknown interaction, bad bodies, a wrong response type; past the real 3 s deadline the invoker hears the failure and the callback is 10062', {
    timeout: 15_000,
  }, async () => {
    const unknown = await call(null, 'POST', `/interactions/123456789012345678/aW50ZXJhY3Rpb246x/callback`, {
      type: 4,
    });
    expect(unknown).toMatchObject({ status: 404, json: { code: 10062 } });
    const bad = await call('alice-token', 'POST', '/interactions', { type: 2, channel_id: channelId });
    expect(bad).toMatchObject({ status: 400, json: { code: 50035 } });
    const d = await invoke();
    const wrongType = await call(null, 'POST', `/interactions/${d.id}/${d.token}/callback`, { type: 7 });
    expect(wrongType).toMatchObject({ status: 400, json: { code: 50035 } });
    const failure = await alice.waitFor('INTERACTION_FAILURE', (e) => e.id === d.id, 10_000);
    expect(failure.d.nonce).toBe(d.nonce);
    const late = await call(null, 'POST', `/interactions/${d.id}/${d.token}/callback`, {
      type: 4,
      data: { content: 'x' },
    });
    expect(late).toMatchObject({ status: 404, json: { code: 10062 } });
  });
});
