import { expect } from 'vitest';
import type { RunningServer } from '../../examples/chat-server/__tests__/startServer.js';
import { GENERAL_TEXT_ID, LOBBY_ID } from '../../examples/chat-server/src/createChatServer.js';
import { userIdForToken } from '../../examples/chat-server/src/devAuth.js';
import { interopEnv } from '../harness/interopEnv.js';
import { findComponent, type IndexedCommand, OfficialClient } from '../harness/officialClient.js';
import { type BotEvent, type BotRun, runBot } from '../harness/runBot.js';

/** A command bot of one library: how to start it, and how that library names each kind of interaction it parsed. */
export interface CommandLibrary {
  /** The library name the bot's token is made of (interopEnv). */
  lib: string;
  start(): { command: string; args: string[]; cwd?: string };
  /** The `via` field each bot event must carry: the library's own classification of the interaction. */
  via: Record<'autocomplete' | 'command' | 'button' | 'modal' | 'select' | 'inspect', string>;
}

/** Bounded: a bot that never sees a step must fail the test, and the failure still shows what the bot printed. */
const BOT_TIMEOUT_MS = 75_000;
const COMMANDS_LISTED_MS = 60_000;
export const SCENARIO_TIMEOUT_MS = BOT_TIMEOUT_MS + 45_000;

const where = { guildId: LOBBY_ID, channelId: GENERAL_TEXT_ID };
// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field.
type Json = any;

/**
 * The command scenario every library's bot implements (interop/README.md, "Command bots"): the official client (user
 * `interop-alice`) drives autocomplete → /echo → button → modal → deferred reply, edit, ephemeral follow-up → select
 * update → the user command Inspect on `interop-observer`, a second user whose session must not see the ephemeral
 * messages. Checks the client's side as it goes, then the bot's own INTEROP lines and the stored history.
 */
export async function runCommandScenario(server: RunningServer, library: CommandLibrary): Promise<void> {
  const alice = await OfficialClient.connect(server, 'interop-alice', where);
  const observer = await OfficialClient.connect(server, 'interop-observer', where);
  const env = interopEnv(server, library.lib);
  const appId = userIdForToken(env.CONCORD_TOKEN!);
  let exited = false;
  const bot = runBot({ ...library.start(), env, timeoutMs: BOT_TIMEOUT_MS }).then((run) => {
    exited = true;
    return run;
  });
  let seen: ClientSide;
  try {
    seen = await drive(alice, observer, appId, () => exited);
  } catch (err) {
    // The other half of the story: what the library said (its own error, its last lines), once it has stopped.
    const run = await bot;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${message}\n\n${describeRun(library.lib, run)}\n\nserver output (tail):\n${server.output().slice(-3000)}`,
      {
        cause: err,
      },
    );
  } finally {
    alice.close();
    observer.close();
  }
  expectBotSide(await bot, library, appId, alice, observer, seen);
}

/** What the client side saw, for the bot-side checks (ids the bot printed must match). */
interface ClientSide {
  echo: Json;
  loading: Json;
  secret: Json;
}

async function drive(
  alice: OfficialClient,
  observer: OfficialClient,
  appId: string,
  botExited: () => boolean,
): Promise<ClientSide> {
  const { echo, inspect } = await commandsOf(alice, appId, botExited);

  // Autocomplete: the focused option's partial value goes out, the bot's choices come back by nonce.
  const choices = await alice.autocomplete(echo, { text: 'h' }, 'text');
  expect(choices).toEqual([
    { name: 'hi', value: 'hi' },
    { name: 'hello', value: 'hello' },
    { name: 'hey', value: 'hey' },
  ]);

  // /echo: a type-4 reply, a chat-input response message (type 20) with the button and the select.
  const echoed = await alice.invoke(echo, { text: 'hi', count: 2 });
  expect(echoed.t, `/echo: ${JSON.stringify(echoed.d)}`).toBe('INTERACTION_SUCCESS');
  const message = await alice.waitForMessage(
    'MESSAGE_CREATE',
    (d) => d.author?.id === appId && d.content === 'hi hi',
    'the reply to /echo',
  );
  expect(message).toMatchObject({
    type: 20,
    channel_id: GENERAL_TEXT_ID,
    application_id: appId,
    webhook_id: appId,
    interaction_metadata: { type: 2, user: { id: alice.user.id } },
  });
  expect(message.flags ?? 0).toBe(0);
  if (echoed.d.id !== undefined) expect(message.interaction_metadata.id).toBe(echoed.d.id);
  expect(findComponent(message.components, 'open')).toMatchObject({ type: 2, style: 1, label: 'Open' });
  expect(findComponent(message.components, 'pick')).toMatchObject({
    type: 3,
    options: [expect.objectContaining({ value: 'a' }), expect.objectContaining({ value: 'b' })],
  });
  await observer.waitForMessage('MESSAGE_CREATE', (d) => d.id === message.id, 'the /echo reply, seen by another user');

  // The button opens a modal: the invoking session gets INTERACTION_MODAL_CREATE for its nonce.
  const opened = await alice.click(message, 'open');
  expect(opened.t, `click open: ${JSON.stringify(opened.d)}`).not.toBe('INTERACTION_FAILURE');
  const modal = (await alice.waitFor('INTERACTION_MODAL_CREATE', (d) => d.nonce === opened.nonce, 'the modal')).d;
  expect(modal).toMatchObject({ custom_id: 'echo-modal', title: 'Echo', channel_id: GENERAL_TEXT_ID });
  expect(modal.application?.id).toBe(appId);
  expect(findComponent(modal.components, 'text')).toMatchObject({ type: 4 });

  // Submitting it: the bot defers (LOADING, "thinking…"), edits @original, then sends an ephemeral follow-up.
  const submitted = await alice.submitModal(modal, { text: 'hello' });
  expect(submitted.t, `modal submit: ${JSON.stringify(submitted.d)}`).toBe('INTERACTION_SUCCESS');
  const loading = await alice.waitForMessage(
    'MESSAGE_CREATE',
    (d) => d.author?.id === appId && ((d.flags ?? 0) & 128) !== 0,
    'the deferred reply (flags 128, LOADING)',
  );
  expect(loading.content).toBe('');
  expect(loading.interaction_metadata).toMatchObject({ type: 5, user: { id: alice.user.id } });
  const edited = await alice.waitForMessage(
    'MESSAGE_UPDATE',
    (d) => d.id === loading.id && d.content === 'got hello',
    'the edit of the deferred reply',
  );
  expect((edited.flags ?? 0) & 128).toBe(0);
  const secret = await alice.waitForMessage(
    'MESSAGE_CREATE',
    (d) => d.author?.id === appId && d.content === 'secret',
    'the ephemeral follow-up',
  );
  expect(secret.flags & 64).toBe(64);
  expect(secret.webhook_id).toBe(appId);

  // The select: the bot updates the message in place (type 7).
  const picked = await alice.click(message, 'pick', ['b']);
  expect(picked.t, `pick: ${JSON.stringify(picked.d)}`).toBe('INTERACTION_SUCCESS');
  const updated = await alice.waitForMessage(
    'MESSAGE_UPDATE',
    (d) => d.id === message.id && d.content === 'picked b',
    'the update from the select',
  );
  expect(findComponent(updated.components ?? [], 'open'), 'components kept by an update without them').toBeDefined();
  await observer.waitForMessage('MESSAGE_UPDATE', (d) => d.id === message.id && d.content === 'picked b', 'the update');

  // The user command on the observer: resolved target, an ephemeral type-23 reply.
  const inspected = await alice.invoke(inspect, {}, observer.user.id);
  expect(inspected.t, `Inspect: ${JSON.stringify(inspected.d)}`).toBe('INTERACTION_SUCCESS');
  const card = await alice.waitForMessage(
    'MESSAGE_CREATE',
    (d) => d.author?.id === appId && d.content === `Inspect: ${observer.user.username}`,
    'the reply to Inspect',
  );
  expect(card.type).toBe(23);
  expect(card.flags & 64).toBe(64);
  expect(card.interaction_metadata).toMatchObject({ type: 2, user: { id: alice.user.id } });

  await expectEphemeralsPrivate(alice, observer, [secret.id, card.id], [message.id, loading.id]);
  return { echo: message, loading, secret };
}

/** Polls the command index (bounded) until the bot's sync has landed, as a user would reopen the `/` menu. */
async function commandsOf(client: OfficialClient, appId: string, botExited: () => boolean) {
  const deadline = Date.now() + COMMANDS_LISTED_MS;
  let last: Json;
  for (;;) {
    last = await client.commandIndex();
    const mine = last.application_commands.filter((c: IndexedCommand) => c.application_id === appId);
    const echo = mine.find((c: IndexedCommand) => c.name === 'echo' && c.type === 1);
    const inspect = mine.find((c: IndexedCommand) => c.name === 'Inspect' && c.type === 2);
    if (echo && inspect) {
      expect(last.applications.map((a: Json) => a.id)).toContain(appId);
      expect(echo.options?.map((o: Json) => [o.name, o.type, o.autocomplete ?? false])).toEqual([
        ['text', 3, true],
        ['count', 4, false],
      ]);
      return { echo: echo as IndexedCommand, inspect: inspect as IndexedCommand };
    }
    if (botExited() || Date.now() > deadline) {
      throw new Error(`the bot's commands never appeared in the command index; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Ephemeral messages reach the invoking user only and are never stored in history. No waiting for an absence: a
 * message alice posts afterwards is the barrier (one session's dispatches arrive in order).
 */
async function expectEphemeralsPrivate(
  alice: OfficialClient,
  observer: OfficialClient,
  ephemeral: string[],
  stored: string[],
): Promise<void> {
  const posted = await alice.rest('POST', `/channels/${GENERAL_TEXT_ID}/messages`, { content: 'barrier' });
  expect(posted.status, JSON.stringify(posted.body)).toBe(200);
  await observer.waitForMessage('MESSAGE_CREATE', (d) => d.id === posted.body.id, 'the barrier message');
  const leaked = observer.events.filter((e) => e.t.startsWith('MESSAGE_') && ephemeral.includes(e.d?.id));
  expect(leaked, 'ephemeral messages reached another user').toEqual([]);
  const history = await observer.rest('GET', `/channels/${GENERAL_TEXT_ID}/messages?limit=20`);
  expect(history.status).toBe(200);
  const ids = (history.body as Json[]).map((m) => m.id);
  for (const id of stored) expect(ids, `message ${id} in history`).toContain(id);
  for (const id of ephemeral) expect(ids, `ephemeral ${id} not in history`).not.toContain(id);
  const stillLoading = (history.body as Json[]).filter((m) => ((m.flags ?? 0) & 128) !== 0);
  expect(stillLoading, 'no stored message left LOADING after its edit').toEqual([]);
}

function expectBotSide(
  run: BotRun,
  library: CommandLibrary,
  appId: string,
  alice: OfficialClient,
  observer: OfficialClient,
  seen: ClientSide,
): void {
  const context = describeRun(library.lib, run);
  expect(run.timedOut, context).toBe(false);
  expect(run.find('error')?.data, context).toBeUndefined();
  expect(run.code, context).toBe(0);
  const data = (event: string): Json => {
    const found: BotEvent | undefined = run.find(event);
    expect(found, `the bot printed no ${event} line\n${context}`).toBeDefined();
    return found!.data;
  };
  expect(data('ready')).toMatchObject({ id: appId, bot: true });
  const synced = data('synced');
  expect(String(synced.application_id)).toBe(appId);
  expect(synced.commands.map((c: Json) => [c.name, c.type]).sort()).toEqual([
    ['Inspect', 2],
    ['echo', 1],
  ]);
  const { via } = library;
  expect(data('autocomplete')).toMatchObject({ via: via.autocomplete, command: 'echo', name: 'text', value: 'h' });
  expect(data('command')).toMatchObject({ via: via.command, name: 'echo', text: 'hi', count: 2, user: alice.user.id });
  expect(data('button')).toMatchObject({ via: via.button, customId: 'open', message: seen.echo.id });
  expect(data('modal')).toMatchObject({ via: via.modal, customId: 'echo-modal', value: 'hello' });
  data('deferred');
  expect(data('edited')).toMatchObject({ id: seen.loading.id, content: 'got hello' });
  expect(data('followup')).toMatchObject({ id: seen.secret.id, content: 'secret' });
  expect(data('followup').flags & 64).toBe(64);
  expect(data('select')).toMatchObject({ via: via.select, customId: 'pick', values: ['b'] });
  data('updated');
  expect(data('inspect')).toMatchObject({
    via: via.inspect,
    name: 'Inspect',
    targetId: observer.user.id,
    targetName: observer.user.username,
  });
  data('done');
}

function describeRun(lib: string, run: BotRun): string {
  return `${lib} bot: ${run.headline()}\nbot output:\n${run.output}`;
}
