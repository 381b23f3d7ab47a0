// The composer: the message box (Enter sends, Up edits my last message, typing indicator), files to upload (picked,
// pasted or dropped), `@name` mentions turned into `<@id>`, and the pending message shown until the server answers.
import { api, upload } from './api.js';
import { setupCommands } from './commands.js';
import { $, button, h, showError } from './dom.js';
import {
  addMessage,
  autosize,
  cancelReply,
  composerState,
  list,
  loadOlder,
  pendingByNonce,
  regroup,
} from './messages.js';
import { avatar, currentGuild, displayName, findChannel, state } from './state.js';
import type { Message } from './types.js';

const pendingFiles: File[] = [];

function renderPendingFiles(): void {
  $('pending-files').replaceChildren(
    ...pendingFiles.map((f, i) =>
      h(
        'li',
        {},
        h('span', { class: 'file-name' }, f.name),
        button(
          '✕',
          () => {
            pendingFiles.splice(i, 1);
            renderPendingFiles();
          },
          { class: 'icon-btn', 'aria-label': `Remove ${f.name}` },
        ),
      ),
    ),
  );
}

function addFiles(files: FileList | File[] | null): void {
  for (const f of Array.from(files ?? [])) if (pendingFiles.length < 10) pendingFiles.push(f);
  renderPendingFiles();
}

let lastTyping = 0;

/** `@name` of a member (or role) as Discord's client sends it: `<@id>` (`<@&id>`); code spans are left alone. */
function withMentions(content: string): string {
  const c = findChannel(state.channelId);
  const g = currentGuild();
  const users = g ? [...g.memberMap.values()].map((m) => m.user) : (c?.recipients ?? []);
  const byName = new Map<string, string>();
  for (const u of users) {
    byName.set(u.username.toLowerCase(), `<@${u.id}>`);
    if (u.global_name) byName.set(u.global_name.toLowerCase(), `<@${u.id}>`);
  }
  for (const r of g?.roles ?? []) if (r.id !== g?.id) byName.set(r.name.toLowerCase(), `<@&${r.id}>`);
  return content
    .split(/(```[\s\S]*?```|`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/(^|[\s(])@([\w.-]{1,32})/g, (all, pre: string, name: string) => {
            const id = byName.get(name.toLowerCase());
            return id ? `${pre}${id}` : all;
          }),
    )
    .join('');
}

function send(): void {
  const input = $<HTMLTextAreaElement>('input');
  const content = input.value;
  const channelId = state.channelId;
  if ((!content.trim() && pendingFiles.length === 0) || !channelId || input.disabled) return;
  input.value = '';
  autosize(input);
  lastTyping = 0;
  // Random, so another user cannot guess it (Discord allows 25 characters; a 64-bit decimal has at most 20).
  const nonce = crypto.getRandomValues(new BigUint64Array(1))[0]!.toString();
  const body: Record<string, unknown> = { content: withMentions(content), nonce };
  if (composerState.replyTo) body.message_reference = { message_id: composerState.replyTo.id };
  cancelReply();
  const files = pendingFiles.splice(0);
  renderPendingFiles();
  const me = state.me!;
  const pendingLi = h(
    'li',
    { class: 'message pending', 'data-nonce': nonce, 'data-author': me.id, 'data-ts': String(Date.now()) },
    h('div', { class: 'gutter' }, avatar(me)),
    h(
      'div',
      { class: 'body' },
      h('div', { class: 'meta' }, h('span', { class: 'author' }, displayName(me))),
      h('div', { class: 'content' }, content),
      files.length ? h('div', { class: 'muted' }, `Uploading ${files.map((f) => f.name).join(', ')}…`) : null,
    ),
  );
  pendingByNonce.set(nonce, pendingLi);
  list().append(pendingLi);
  regroup();
  list().scrollTop = list().scrollHeight;
  const path = `/channels/${channelId}/messages`;
  (files.length ? upload<Message>(path, body, files) : api<Message>('POST', path, body))
    .then((m) => addMessage(m))
    .catch((err) => {
      pendingByNonce.delete(nonce);
      pendingLi.remove();
      regroup();
      showError(err);
    });
}

export function setupComposer(): void {
  // First: the `/` picker takes Enter, Tab and the arrows before the message box does.
  setupCommands();
  const input = $<HTMLTextAreaElement>('input');
  input.addEventListener('input', () => {
    autosize(input);
    // A slash command is not a message being typed: nobody sees "is typing" for it, as in Discord.
    if (!input.value || input.value.startsWith('/') || !state.channelId || Date.now() - lastTyping < 8000) return;
    lastTyping = Date.now();
    api('POST', `/channels/${state.channelId}/typing`).catch(() => {});
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
    if (e.key === 'Escape' && composerState.replyTo) cancelReply();
    // Up in an empty box edits my last message, as in Discord.
    if (e.key === 'ArrowUp' && !input.value && state.me) {
      const mine = Array.from(list().querySelectorAll<HTMLElement>('.message[data-id]')).filter(
        (el) => el.dataset.author === state.me?.id,
      );
      const edit = mine[mine.length - 1]?.querySelector<HTMLButtonElement>('button.edit');
      if (edit) {
        e.preventDefault();
        edit.click();
      }
    }
  });
  input.addEventListener('paste', (e) => {
    if (e.clipboardData?.files.length) {
      e.preventDefault();
      addFiles(e.clipboardData.files);
    }
  });
  $<HTMLFormElement>('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  const fileInput = $<HTMLInputElement>('file-input');
  $('attach-btn').addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    addFiles(fileInput.files);
    fileInput.value = '';
  });
  const chat = $('chat');
  chat.addEventListener('dragover', (e) => {
    if (!e.dataTransfer?.types.includes('Files') || input.disabled) return;
    e.preventDefault();
    chat.classList.add('dragging');
  });
  chat.addEventListener('dragleave', (e) => {
    if (!chat.contains(e.relatedTarget as Node | null)) chat.classList.remove('dragging');
  });
  chat.addEventListener('drop', (e) => {
    chat.classList.remove('dragging');
    if (!e.dataTransfer?.files.length || input.disabled) return;
    e.preventDefault();
    addFiles(e.dataTransfer.files);
  });
  list().addEventListener('scroll', () => {
    if (list().scrollTop < 120) void loadOlder();
  });
}
