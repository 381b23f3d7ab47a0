// Running an application command from the page (the `/` picker's choice, or a context menu command on a message or
// user): the interaction (type 2) goes out and, until the application answers, a placeholder shows in the channel as
// Discord's client shows it: "<me> used /name", then the app with "Sending command…". The placeholder goes when the
// interaction succeeds (the answer arrives as a message, a modal, or nothing); when the application lets the deadline
// pass it says "The application did not respond", only to me, until dismissed. Also the Apps menu of right-clicks.
import { ephemeralNote, usedCommandLine } from './appMessages.js';
import { applicationName, commandsOfType, loadCommandIndex } from './commandIndex.js';
import { button, h } from './dom.js';
import { invokeInteraction } from './interactions.js';
import { list, regroup } from './messages.js';
import { type AppsTarget, actions, avatar, state } from './state.js';
import type { ApplicationCommand, CommandIndex, User } from './types.js';

/** The placeholder of a command waiting for its application. */
function placeholder(app: User, command: ApplicationCommand): HTMLLIElement {
  const me = state.me!;
  return h(
    'li',
    {
      class: 'message pending command-pending',
      'data-author': app.id,
      'data-reply': '1',
      'data-ts': String(Date.now()),
    },
    usedCommandLine(me, command.name, command.type === 1),
    h('div', { class: 'gutter' }, avatar(app)),
    h(
      'div',
      { class: 'body' },
      h(
        'div',
        { class: 'meta' },
        h('span', { class: 'author' }, app.global_name || app.username),
        h('span', { class: 'bot-tag' }, 'BOT'),
      ),
      h('div', { class: 'content sending' }, 'Sending command…'),
    ),
  );
}

/** The application's bot user as the page knows it (the application's id is its bot's id). */
function appUser(index: CommandIndex, applicationId: string): User {
  return (
    state.users.get(applicationId) ?? { id: applicationId, username: applicationName(index, applicationId), bot: true }
  );
}

/**
 * Sends `command` with its (already typed and converted) `options` and the files its ATTACHMENT options name, or on
 * `targetId` for a context menu command, from `channelId`.
 */
export function runCommand(
  index: CommandIndex,
  command: ApplicationCommand,
  channelId: string,
  options: Record<string, unknown>[] | undefined,
  targetId?: string,
  files: File[] = [],
): void {
  const li = placeholder(appUser(index, command.application_id), command);
  if (state.channelId === channelId) {
    list().append(li);
    regroup();
    list().scrollTop = list().scrollHeight;
  }
  const drop = () => {
    li.remove();
    regroup();
  };
  invokeInteraction(
    2,
    command.application_id,
    channelId,
    {
      version: command.version,
      id: command.id,
      name: command.name,
      type: command.type ?? 1,
      ...(options?.length ? { options } : {}),
      ...(targetId ? { target_id: targetId } : {}),
      ...(files.length ? { attachments: files.map((f, i) => ({ id: String(i), filename: f.name })) } : {}),
    },
    {
      commandName: command.name,
      succeeded: drop,
      failed: (reason) => {
        const stick = list().scrollHeight - list().scrollTop - list().clientHeight < 80;
        li.classList.replace('pending', 'failed');
        li.querySelector('.content')?.replaceWith(
          h('div', { class: 'content interaction-failed' }, reason ?? 'The application did not respond'),
        );
        li.querySelector('.body')?.append(ephemeralNote(drop));
        if (stick && li.isConnected) list().scrollTop = list().scrollHeight;
      },
    },
    {},
    files,
  );
}

/**
 * The Apps menu at the pointer (a right-click): the context menu commands of the message's or user's type (3 message,
 * 2 user) from the index.
 */
export function openAppsMenu(e: MouseEvent, target: AppsTarget): void {
  // Links, images and selected text keep the browser's own menu (open in a new tab, copy).
  if ((e.target as Element | null)?.closest?.('a, img') || String(window.getSelection() ?? '')) return;
  const channelId = 'message' in target ? target.message.channel_id : target.channelId;
  e.preventDefault();
  document.querySelector('.app-menu')?.remove();
  const menu = h('div', { class: 'app-menu', role: 'menu', 'aria-label': 'Apps' }, h('h3', {}, 'Apps'));
  const body = h('div', { class: 'muted' }, 'Loading…');
  menu.append(body);
  document.body.append(menu);
  const place = () => {
    menu.style.left = `${Math.max(8, Math.min(e.clientX, window.innerWidth - menu.offsetWidth - 8))}px`;
    menu.style.top = `${Math.max(8, Math.min(e.clientY, window.innerHeight - menu.offsetHeight - 8))}px`;
  };
  place();
  const close = (ev?: Event) => {
    if (ev && !(ev instanceof KeyboardEvent ? ev.key === 'Escape' : !menu.contains(ev.target as Node))) return;
    menu.remove();
    document.removeEventListener('mousedown', close, true);
    document.removeEventListener('keydown', close, true);
  };
  setTimeout(() => {
    document.addEventListener('mousedown', close, true);
    document.addEventListener('keydown', close, true);
  });
  loadCommandIndex(channelId)
    .then((index) => {
      const type = 'message' in target ? 3 : 2;
      const commands = commandsOfType(index, type);
      const targetId = 'message' in target ? target.message.id : target.user.id;
      body.replaceWith(
        ...(commands.length
          ? commands.map((c) =>
              button(
                c.name,
                () => {
                  close();
                  runCommand(index, c, channelId, undefined, targetId);
                },
                { role: 'menuitem', class: 'app-command', title: applicationName(index, c.application_id) },
              ),
            )
          : [h('div', { class: 'muted' }, 'No apps here')]),
      );
      place();
    })
    .catch((err) => {
      close();
      actions.showError(err);
    });
}
