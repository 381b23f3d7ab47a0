// Moderation from the page, as Discord's client does it: timeout (PATCH …/members/{user} with
// `communication_disabled_until`), kick (DELETE …/members/{user}), ban with message deletion (PUT …/bans/{user} with
// `delete_message_seconds`), and the bans list with unban. An optional reason goes to the audit log. When the server
// refuses (50013 for a member above me, say), its message and code are shown in the form.
import { ApiError, api } from './api.js';
import { field, openDialog } from './dialog.js';
import { button, h } from './dom.js';
import { P } from './permissions.js';
import { actions, avatar, canManage, displayName, type GuildState, state, timedOutUntil } from './state.js';
import type { Member, User } from './types.js';

export type ModAction = 'timeout' | 'untimeout' | 'kick' | 'ban';

const TIMEOUT_MS = 60 * 60_000;

/** Ban's "delete message history" choices, in seconds. */
const BAN_DELETE: [string, string][] = [
  ['0', 'Don’t delete any'],
  ['3600', 'Previous hour'],
  ['86400', 'Previous 24 hours'],
  ['604800', 'Previous 7 days'],
];

const TITLES: Record<ModAction, string> = {
  timeout: 'Timeout',
  untimeout: 'Remove timeout for',
  kick: 'Kick',
  ban: 'Ban',
};

export function shortTime(d: Date): string {
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Discord's error as the page shows it: its message and JSON error code. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.code !== undefined ? `${e.message} (error ${e.code})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

/** The moderation buttons for a member (those my permissions allow; none for myself). */
export function moderationButtons(guild: GuildState, member: Member, back: () => void): HTMLElement | null {
  if (member.user.id === state.me?.id) return null;
  const row = h('div', { class: 'mod-actions row' });
  const until = timedOutUntil(member);
  if (until) row.append(h('span', { class: 'timed-out-tag' }, `Timed out until ${shortTime(until)}`));
  const add = (action: ModAction, label: string, bit: bigint) => {
    if (!canManage(guild, bit)) return;
    row.append(
      button(label, () => openModeration(guild, member.user, action, back), {
        class: `mod-${action}${action === 'untimeout' ? '' : ' danger'}`,
        'aria-label': `${label} ${displayName(member.user)}`,
      }),
    );
  };
  if (until) add('untimeout', 'Remove timeout', P.MODERATE_MEMBERS);
  else add('timeout', 'Timeout 1 h', P.MODERATE_MEMBERS);
  add('kick', 'Kick', P.KICK_MEMBERS);
  add('ban', 'Ban', P.BAN_MEMBERS);
  return row.children.length ? row : null;
}

/** The form of one action: what it does, the ban's deletion choice, a reason; Cancel and done go `back`. */
export function openModeration(guild: GuildState, user: User, action: ModAction, back: () => void): void {
  const name = displayName(user);
  const reason = h('input', { id: 'mod-reason', maxlength: '512', autocomplete: 'off', placeholder: 'Optional' });
  const deleteSel = h(
    'select',
    { id: 'ban-delete' },
    ...BAN_DELETE.map(([v, label]) => h('option', { value: v }, label)),
  );
  deleteSel.value = '3600';
  const error = h('p', { class: 'form-error', role: 'alert', hidden: '' });
  const explain: Record<ModAction, string> = {
    timeout: `${name} will be able to read but not send messages, react or join threads for 1 hour.`,
    untimeout: `${name} will be able to talk again.`,
    kick: `${name} will be removed from ${guild.name}. They can rejoin with a new invite.`,
    ban: `${name} will be removed from ${guild.name} and cannot rejoin until unbanned.`,
  };
  const confirm = h(
    'button',
    { type: 'submit', class: action === 'untimeout' ? 'primary' : 'danger', id: 'mod-confirm' },
    action === 'timeout' ? 'Timeout' : action === 'untimeout' ? 'Remove timeout' : TITLES[action],
  );
  const form = h(
    'form',
    { class: 'stack', id: 'moderation-form', 'data-action': action },
    h('div', { class: 'mod-who' }, avatar(user, 32), h('span', {}, explain[action])),
    action === 'ban' ? field('Delete message history', deleteSel) : null,
    field('Reason (audit log)', reason),
    error,
    h('div', { class: 'row end' }, button('Cancel', back, { id: 'mod-cancel' }), confirm),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    confirm.disabled = true;
    const base = `/guilds/${guild.id}`;
    const why = reason.value.trim() || undefined;
    const job =
      action === 'kick'
        ? api('DELETE', `${base}/members/${user.id}`, undefined, why)
        : action === 'ban'
          ? api('PUT', `${base}/bans/${user.id}`, { delete_message_seconds: Number(deleteSel.value) }, why)
          : api<Member>(
              'PATCH',
              `${base}/members/${user.id}`,
              {
                communication_disabled_until:
                  action === 'timeout' ? new Date(Date.now() + TIMEOUT_MS).toISOString() : null,
              },
              why,
            ).then((m) => {
              const old = guild.memberMap.get(user.id);
              if (old && m) guild.memberMap.set(user.id, { ...old, ...m });
            });
    job
      .then(() => {
        if (action === 'kick' || action === 'ban') guild.memberMap.delete(user.id);
        actions.renderAll();
        back();
      })
      .catch((err) => {
        confirm.disabled = false;
        error.textContent = errorText(err);
        error.hidden = false;
      });
  });
  openDialog(`${TITLES[action]} ${name}`, form);
  reason.focus();
}

/** The Settings → Bans tab: who is banned (and why), each with Unban. */
export function bansPanel(guild: GuildState, refresh: () => void): HTMLElement {
  const out = h('ul', { class: 'ban-list', 'aria-label': 'Bans' }, h('li', { class: 'muted' }, 'Loading bans…'));
  api<{ user: User; reason: string | null }[]>('GET', `/guilds/${guild.id}/bans`)
    .then((bans) => {
      out.replaceChildren(
        ...bans.map((b) =>
          h(
            'li',
            { 'data-user': b.user.id },
            h(
              'div',
              { class: 'who' },
              avatar(b.user, 32),
              h('span', { class: 'name' }, displayName(b.user)),
              b.reason ? h('span', { class: 'muted ban-reason' }, b.reason) : null,
            ),
            button(
              'Unban',
              () => {
                api('DELETE', `/guilds/${guild.id}/bans/${b.user.id}`).then(refresh, actions.showError);
              },
              { class: 'unban', 'aria-label': `Unban ${displayName(b.user)}` },
            ),
          ),
        ),
      );
      if (bans.length === 0) out.append(h('li', { class: 'muted empty' }, 'Nobody is banned.'));
    })
    .catch((e) => {
      out.replaceChildren(h('li', { class: 'form-error', role: 'alert' }, errorText(e)));
    });
  return out;
}
