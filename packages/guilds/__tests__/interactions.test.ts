import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

const BOT = '5000';
const DEADLINE_MS = 150;

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;
let echoId: string;
let inspectId: string;

beforeEach(async () => {
  h = await createHarness(undefined, { interactions: { deadlineMs: DEADLINE_MS } });
  s = await seedGuild(h);
  await h.community.users.ensure({ id: BOT, username: 'echo-bot', bot: true });
  await h.community.bots.authorize(s.owner, s.guild.id, BOT, P.SendMessages | P.ViewChannel);
  const echo = await h.community.commands.create(BOT, BOT, null, {
    name: 'echo',
    description: 'Echoes',
    options: [
      { type: 3, name: 'text', description: 'What to say', required: true, autocomplete: true },
      { type: 4, name: 'count', description: 'How often', min_value: 1, max_value: 3 },
    ],
  });
  echoId = echo.command.id;
  const inspect = await h.community.commands.create(BOT, BOT, null, { name: 'Inspect', type: 2 });
  inspectId = inspect.command.id;
});

function invokeEcho(options: unknown[], extra: Record<string, unknown> = {}) {
  return h.community.interactions.invoke(s.alice, {
    type: 2,
    application_id: BOT,
    guild_id: s.guild.id,
    channel_id: s.general.id,
    session_id: 'session-a',
    nonce: '1111',
    data: { id: echoId, name: 'echo', type: 1, options },
    ...extra,
  });
}

/** The last INTERACTION_CREATE the bot got. */
function lastForBot() {
  const created = h.gateway.events('INTERACTION_CREATE').filter((d) => d.to.userIds?.includes(BOT));
  return created.at(-1)!.data;
}

const row = (...components: unknown[]) => ({ type: 1, components });
const button = { type: 2, style: 1, label: 'Open', custom_id: 'open' };
const select = {
  type: 3,
  custom_id: 'pick',
  options: [
    { label: 'Red', value: 'red' },
    { label: 'Blue', value: 'blue' },
  ],
};

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('waited too long');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('invoking a command', () => {
  it('sends INTERACTION_CREATE to the application with the token, member, permissions and type-checked options', async () => {
    await invokeEcho([
      { type: 3, name: 'text', value: 'hi' },
      { type: 4, name: 'count', value: 2 },
    ]);
    const d = lastForBot();
    expect(d).toMatchObject({
      type: 2,
      application_id: BOT,
      guild_id: s.guild.id,
      channel_id: s.general.id,
      version: 1,
      locale: 'en-US',
      context: 0,
      authorizing_integration_owners: { '0': s.guild.id },
      data: {
        id: echoId,
        name: 'echo',
        type: 1,
        options: [
          { name: 'text', value: 'hi' },
          { name: 'count', value: 2 },
        ],
      },
      member: { user: { id: s.alice } },
      channel: { id: s.general.id },
    });
    expect(typeof d.token).toBe('string');
    expect(d.member.permissions).toMatch(/^\d+$/);
    expect(BigInt(d.app_permissions) & P.SendMessages).toBe(P.SendMessages);
  });

  it('refuses wrong option types, missing required options, out-of-range values and unknown commands', async () => {
    await expect(invokeEcho([{ type: 4, name: 'text', value: 1 }])).rejects.toMatchObject({ code: 50035 });
    await expect(invokeEcho([{ type: 4, name: 'count', value: 2 }])).rejects.toMatchObject({ code: 50035 });
    await expect(
      invokeEcho([
        { type: 3, name: 'text', value: 'x' },
        { type: 4, name: 'count', value: 9 },
      ]),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(
      invokeEcho([{ type: 3, name: 'text', value: 'x' }], {
        data: { id: '999999999999999999', name: 'echo', type: 1, options: [] },
      }),
    ).rejects.toMatchObject({ code: 10063 });
    await expect(h.community.interactions.invoke(s.alice, { type: 2 })).rejects.toMatchObject({ code: 50035 });
    expect(h.gateway.events('INTERACTION_CREATE')).toHaveLength(0);
  });

  it('resolves a USER command target and answers with a context-menu message (type 23)', async () => {
    await h.community.interactions.invoke(s.alice, {
      type: 2,
      application_id: BOT,
      guild_id: s.guild.id,
      channel_id: s.general.id,
      data: { id: inspectId, name: 'Inspect', type: 2, target_id: s.bob },
    });
    const d = lastForBot();
    expect(d.data.target_id).toBe(s.bob);
    expect(d.data.resolved.users[s.bob].username).toBe('bob');
    expect(d.data.resolved.members[s.bob].permissions).toMatch(/^\d+$/);
    await h.community.interactions.callback(d.id, d.token, { type: 4, data: { content: 'bob', flags: 64 } });
    const reply = h.gateway.events('MESSAGE_CREATE').at(-1)!;
    expect(reply.to.userIds).toEqual([s.alice]);
    expect(reply.data).toMatchObject({ type: 23, flags: 64, interaction_metadata: { target_user: { id: s.bob } } });
  });
});

describe('responding', () => {
  it('type 4 posts a type 20 message with interaction_metadata and components; a second response is 40060', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const d = lastForBot();
    const answer = await h.community.interactions.callback(
      d.id,
      d.token,
      { type: 4, data: { content: 'hi hi', components: [row(button), row(select)] } },
      { withResponse: true },
    );
    expect(answer?.resource?.message).toMatchObject({
      type: 20,
      content: 'hi hi',
      webhook_id: BOT,
      application_id: BOT,
      author: { id: BOT },
      interaction_metadata: { id: d.id, type: 2, user: { id: s.alice } },
      interaction: { id: d.id, name: 'echo' },
    });
    expect(h.gateway.events('MESSAGE_CREATE').at(-1)!.to.channelId).toBe(s.general.id);
    expect(h.gateway.events('INTERACTION_SUCCESS').at(-1)).toMatchObject({
      data: { id: d.id, nonce: '1111' },
      to: { userIds: [s.alice] },
    });
    await expect(
      h.community.interactions.callback(d.id, d.token, { type: 4, data: { content: 'x' } }),
    ).rejects.toMatchObject({ code: 40060 });
    await expect(h.community.interactions.callback(d.id, `${d.token}x`, { type: 5 })).rejects.toMatchObject({
      code: 10062,
    });
  });

  it('a refused response (oversized components) stores nothing and leaves the interaction open', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const d = lastForBot();
    const rows = Array.from({ length: 6 }, (_, i) => row({ ...button, custom_id: `b${i}` }));
    await expect(
      h.community.interactions.callback(d.id, d.token, { type: 4, data: { content: 'x', components: rows } }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(h.community.interactions.callback(d.id, d.token, { type: 6 })).rejects.toMatchObject({ code: 50035 });
    expect(await h.messages.list(s.general.id, {})).toHaveLength(0);
    await h.community.interactions.callback(d.id, d.token, { type: 4, data: { content: 'ok' } });
    expect(await h.messages.list(s.general.id, {})).toHaveLength(1);
  });

  it('button → modal → submit → deferred → edit @original → ephemeral follow-up → select update', async () => {
    const { interactions } = h.community;
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const first = lastForBot();
    const reply = (await interactions.callback(
      first.id,
      first.token,
      { type: 4, data: { content: 'hi', components: [row(button), row(select)] } },
      { withResponse: true },
    ))!.resource!.message!;

    const click = { type: 3, application_id: BOT, guild_id: s.guild.id, channel_id: s.general.id, nonce: '2222' };
    await interactions.invoke(s.alice, {
      ...click,
      message_id: reply.id,
      data: { component_type: 2, custom_id: 'open' },
    });
    const clicked = lastForBot();
    expect(clicked).toMatchObject({
      type: 3,
      data: { custom_id: 'open', component_type: 2 },
      message: { id: reply.id },
    });
    const modal = {
      title: 'Say something',
      custom_id: 'modal',
      components: [row({ type: 4, custom_id: 'text', label: 'Text', style: 1, min_length: 2 })],
    };
    await interactions.callback(clicked.id, clicked.token, { type: 9, data: modal });
    const shown = h.gateway.events('INTERACTION_MODAL_CREATE').at(-1)!;
    expect(shown).toMatchObject({
      to: { userIds: [s.alice] },
      data: { id: clicked.id, nonce: '2222', title: 'Say something', custom_id: 'modal' },
    });

    const submit = (value: string) =>
      interactions.invoke(s.alice, {
        type: 5,
        application_id: BOT,
        guild_id: s.guild.id,
        channel_id: s.general.id,
        data: { id: clicked.id, custom_id: 'modal', components: [row({ type: 4, custom_id: 'text', value })] },
      });
    await expect(submit('x')).rejects.toMatchObject({ code: 50035 });
    await submit('hello');
    await expect(submit('hello')).rejects.toMatchObject({ code: 10062 });
    const submitted = lastForBot();
    // In the modal's own layout, with the ids the modal was numbered with.
    expect(submitted.data.components).toEqual([
      { type: 1, id: 1, components: [{ type: 4, id: 2, custom_id: 'text', value: 'hello' }] },
    ]);
    expect(shown.data.components[0]).toMatchObject({ id: 1, components: [{ id: 2, custom_id: 'text' }] });

    await interactions.callback(submitted.id, submitted.token, { type: 5 });
    const thinking = h.gateway.events('MESSAGE_CREATE').at(-1)!.data;
    expect(thinking).toMatchObject({ flags: 128, content: '', type: 19, message_reference: { message_id: reply.id } });
    expect(thinking.interaction_metadata).toMatchObject({
      type: 5,
      triggering_interaction_metadata: { id: clicked.id, type: 3, interacted_message_id: reply.id },
    });
    const edited = await interactions.editMessage(BOT, submitted.token, '@original', { content: 'got hello' });
    expect(edited).toMatchObject({ id: thinking.id, flags: 0, content: 'got hello' });
    expect(h.gateway.events('MESSAGE_UPDATE').at(-1)!.data.id).toBe(thinking.id);

    const secret = await interactions.followUp(BOT, submitted.token, { content: 'secret', flags: 64 });
    expect(secret.flags).toBe(64);
    expect(secret.interaction_metadata).toMatchObject({ original_response_message_id: thinking.id });
    expect(h.gateway.events('MESSAGE_CREATE').at(-1)!.to.userIds).toEqual([s.alice]);
    const history = await h.community.messages.list(s.alice, s.general.id);
    expect(history.map((m) => m.id)).not.toContain(secret.id);
    expect((await interactions.getMessage(BOT, submitted.token, secret.id)).content).toBe('secret');

    await interactions.invoke(s.alice, {
      ...click,
      message_id: reply.id,
      data: { component_type: 3, custom_id: 'pick', values: ['blue'] },
    });
    const picked = lastForBot();
    expect(picked.data.values).toEqual(['blue']);
    await interactions.callback(picked.id, picked.token, { type: 7, data: { content: 'blue it is', components: [] } });
    const update = h.gateway.events('MESSAGE_UPDATE').at(-1)!.data;
    expect(update).toMatchObject({ id: reply.id, content: 'blue it is', components: [] });
    await expect(
      interactions.invoke(s.alice, {
        ...click,
        message_id: reply.id,
        data: { component_type: 3, custom_id: 'pick', values: ['green'] },
      }),
    ).rejects.toMatchObject({ code: 50035 });
  });

  it('autocomplete: the focused option goes to the application, its choices to the invoker', async () => {
    await h.community.interactions.invoke(s.alice, {
      type: 4,
      application_id: BOT,
      guild_id: s.guild.id,
      channel_id: s.general.id,
      nonce: '3333',
      data: { id: echoId, name: 'echo', type: 1, options: [{ type: 3, name: 'text', value: 'h', focused: true }] },
    });
    const d = lastForBot();
    expect(d.type).toBe(4);
    await expect(
      h.community.interactions.callback(d.id, d.token, { type: 4, data: { content: 'x' } }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(
      h.community.interactions.callback(d.id, d.token, { type: 8, data: { choices: [{ name: 'one', value: 1 }] } }),
    ).rejects.toMatchObject({ code: 50035 });
    await h.community.interactions.callback(d.id, d.token, {
      type: 8,
      data: { choices: [{ name: 'hello', value: 'hello' }] },
    });
    expect(h.gateway.events('APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE').at(-1)).toMatchObject({
      to: { userIds: [s.alice] },
      data: { nonce: '3333', choices: [{ name: 'hello', value: 'hello' }] },
    });
  });
});

describe('deadlines', () => {
  it('an interaction not answered in time fails for the invoker, and its callback is refused (10062)', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const d = lastForBot();
    const failure = await waitFor(() => h.gateway.events('INTERACTION_FAILURE').at(-1));
    expect(failure).toMatchObject({ to: { userIds: [s.alice] }, data: { id: d.id, nonce: '1111' } });
    await expect(h.community.interactions.callback(d.id, d.token, { type: 5 })).rejects.toMatchObject({ code: 10062 });
  });

  it('the token works for 15 minutes after the invocation, then answers 50027', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const d = lastForBot();
    await h.community.interactions.callback(d.id, d.token, { type: 5 });
    h.clock.now += 14 * 60_000;
    await h.community.interactions.followUp(BOT, d.token, { content: 'still here' });
    h.clock.now += 2 * 60_000;
    await expect(h.community.interactions.followUp(BOT, d.token, { content: 'late' })).rejects.toMatchObject({
      code: 50027,
    });
    await expect(h.community.interactions.getMessage(BOT, d.token, '@original')).rejects.toMatchObject({ code: 50027 });
    await expect(h.community.interactions.followUp('4999', d.token, { content: 'x' })).rejects.toMatchObject({
      code: 10015,
    });
  });

  it('a follow-up before the initial response is 10015, as on Discord', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const d = lastForBot();
    await expect(h.community.interactions.followUp(BOT, d.token, { content: 'early' })).rejects.toMatchObject({
      code: 10015,
    });
  });

  it('interactions older than a day are swept with their ephemeral messages by a later invocation', async () => {
    await invokeEcho([{ type: 3, name: 'text', value: 'hi' }]);
    const old = lastForBot();
    const secret = await h.community.interactions.callback(
      old.id,
      old.token,
      { type: 4, data: { content: 'psst', flags: 64 } },
      { withResponse: true },
    );
    const messageId = secret!.resource!.message!.id;
    expect(await h.store.find('interaction-message', messageId)).not.toBeNull();
    h.clock.now += 25 * 60 * 60 * 1000;
    await invokeEcho([{ type: 3, name: 'text', value: 'later' }]);
    await waitFor(async () => ((await h.store.find('interaction', old.id)) === null ? true : undefined));
    expect(await h.store.find('interaction-message', messageId)).toBeNull();
    expect(await h.store.find('interaction', lastForBot().id)).not.toBeNull();
  });
});
