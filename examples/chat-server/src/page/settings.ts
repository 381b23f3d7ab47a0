// Dialogs: create a server or channel, invite people, server settings (roles with their permissions and order,
// members' roles), channel permissions (overwrites per role), and a member's profile.
import { api } from './api.js';
import { closeDialog, dialogOpen, field, openDialog, widen } from './dialog.js';
import { button, h } from './dom.js';
import { hexColor } from './markdown.js';
import { bansPanel, moderationButtons } from './moderation.js';
import { COMMON_PERMISSIONS, has, P } from './permissions.js';
import { actions, avatar, canManage, channelLabel, displayName, type GuildState, sortedRoles, state } from './state.js';
import type { Channel, Invite, Member, Role } from './types.js';

// ---- create a server ---------------------------------------------------------------------------------------------

export const pending = { guildToSelect: null as string | null };

export function openCreateGuild(): void {
  const name = h('input', { name: 'name', required: '', maxlength: '100', autocomplete: 'off' });
  name.value = `${state.me ? displayName(state.me) : 'My'}'s server`;
  const form = h(
    'form',
    { class: 'stack', id: 'create-guild-form' },
    h('p', { class: 'muted' }, 'Your server is where you and your friends hang out.'),
    field('Server name', name),
    h('div', { class: 'row end' }, h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<{ id: string }>('POST', '/guilds', { name: name.value.trim() })
      .then((g) => {
        closeDialog();
        if (state.guilds.has(g.id)) actions.selectGuild(g.id);
        else pending.guildToSelect = g.id;
      })
      .catch(actions.showError);
  });
  openDialog('Create a server', form);
  name.select();
}

// ---- create a channel or category -----------------------------------------------------------------------------

export function openCreateChannel(guild: GuildState, parentId: string | null = null, category = false): void {
  const name = h('input', { name: 'name', required: '', maxlength: '100', autocomplete: 'off' });
  const type = h(
    'select',
    { name: 'type' },
    h('option', { value: '0' }, 'Text channel'),
    h('option', { value: '2' }, 'Voice channel'),
    h('option', { value: '4' }, 'Category'),
  );
  type.value = category ? '4' : '0';
  const parent = h('select', { name: 'parent' }, h('option', { value: '' }, '(no category)'));
  for (const c of guild.channels.filter((x) => x.type === 4).sort((a, b) => (a.position ?? 0) - (b.position ?? 0))) {
    parent.append(h('option', { value: c.id }, c.name ?? ''));
  }
  parent.value = parentId ?? '';
  const parentField = field('Category', parent);
  const sync = () => {
    parentField.hidden = type.value === '4';
  };
  type.addEventListener('change', sync);
  sync();
  const form = h(
    'form',
    { class: 'stack', id: 'create-channel-form' },
    field('Channel type', type),
    field('Name', name),
    parentField,
    h('div', { class: 'row end' }, h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = Number(type.value);
    const body: Record<string, unknown> = { name: name.value.trim(), type: t };
    if (t !== 4 && parent.value) body.parent_id = parent.value;
    api<Channel>('POST', `/guilds/${guild.id}/channels`, body)
      .then((c) => {
        upsertChannel(guild, c);
        closeDialog();
        actions.renderAll();
        if (c.type === 0) actions.selectChannel(c.id);
      })
      .catch(actions.showError);
  });
  openDialog(category ? 'Create a category' : 'Create a channel', form);
  name.focus();
}

export function upsertChannel(guild: GuildState, c: Channel): void {
  const i = guild.channels.findIndex((x) => x.id === c.id);
  const next = { ...(i >= 0 ? guild.channels[i] : {}), ...c, guild_id: guild.id };
  if (i >= 0) guild.channels[i] = next;
  else guild.channels.push(next);
}

export function upsertRole(guild: GuildState, role: Role): void {
  const i = guild.roles.findIndex((r) => r.id === role.id);
  if (i >= 0) guild.roles[i] = role;
  else guild.roles.push(role);
}

// ---- invites ---------------------------------------------------------------------------------------------------

export function inviteLink(code: string): string {
  return `${location.origin}${location.pathname}#/invite/${code}`;
}

export function openInvite(guild: GuildState, channelId: string): void {
  const link = h('input', { id: 'invite-link', readonly: '', 'aria-label': 'Invite link', value: 'Creating…' });
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = button(
    'Copy',
    () => {
      link.select();
      const done = () => {
        copied.textContent = 'Copied!';
      };
      if (navigator.clipboard) navigator.clipboard.writeText(link.value).then(done, () => document.execCommand('copy'));
      else if (document.execCommand('copy')) done();
    },
    { class: 'primary' },
  );
  openDialog(
    `Invite friends to ${guild.name}`,
    h('p', { class: 'muted' }, 'Send this link to a friend. Opening it joins the server.'),
    h('div', { class: 'row' }, link, copy),
    copied,
  );
  api<Invite>('POST', `/channels/${channelId}/invites`, { max_age: 0 })
    .then((invite) => {
      link.value = inviteLink(invite.code);
      link.dataset.code = invite.code;
      link.select();
    })
    .catch((e) => {
      link.value = '';
      actions.showError(e);
    });
}

// ---- server settings: roles and members -----------------------------------------------------------------------

type SettingsTab = 'roles' | 'members' | 'bans';

/** The settings dialog on screen (to redraw its members and bans when the gateway says they changed). */
let openSettings: { guildId: string; tab: SettingsTab; panel: HTMLElement; show: () => void } | null = null;

export function openGuildSettings(guild: GuildState, tab: SettingsTab = 'roles', roleId?: string): void {
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
  const show = (which: SettingsTab, selectRole?: string) => {
    if (!dialogOpen() || !panel.isConnected) return openGuildSettings(guild, which, selectRole);
    for (const t of Array.from(tabs.children)) t.setAttribute('aria-selected', String(t.id === `tab-${which}`));
    openSettings = { guildId: guild.id, tab: which, panel, show: () => show(which) };
    panel.replaceChildren(
      which === 'roles'
        ? rolesPanel(guild, selectRole, (id) => show('roles', id))
        : which === 'members'
          ? membersPanel(guild, () => show('members'))
          : bansPanel(guild, () => show('bans')),
    );
  };
  tabs.append(
    button('Roles', () => show('roles'), { role: 'tab', id: 'tab-roles' }),
    button('Members', () => show('members'), { role: 'tab', id: 'tab-members' }),
  );
  if (canManage(guild, P.BAN_MEMBERS)) tabs.append(button('Bans', () => show('bans'), { role: 'tab', id: 'tab-bans' }));
  widen(openDialog(`${guild.name} — settings`, tabs, panel));
  show(tab, roleId);
}

/** Redraws the open settings' members or bans tab of this guild (the gateway said they changed). */
export function refreshSettings(guildId: string, tabs: SettingsTab[]): void {
  const s = openSettings;
  if (s && s.guildId === guildId && tabs.includes(s.tab) && s.panel.isConnected && dialogOpen()) s.show();
}

function rolesPanel(guild: GuildState, selected: string | undefined, reopen: (id?: string) => void): HTMLElement {
  const roles = sortedRoles(guild);
  const current = roles.find((r) => r.id === selected) ?? roles[0];
  const manage = canManage(guild, P.MANAGE_ROLES);
  const listEl = h('ul', { class: 'role-list', 'aria-label': 'Roles' });
  const movable = roles.filter((r) => r.id !== guild.id);
  for (const role of roles) {
    const idx = movable.indexOf(role);
    const item = h(
      'li',
      { class: role.id === current?.id ? 'selected' : '', 'data-role': role.id },
      button(
        [
          h('span', { class: 'role-dot', style: `background:${role.color ? hexColor(role.color) : '#99aab5'}` }),
          role.name,
        ],
        () => reopen(role.id),
        { class: 'role-name', 'aria-current': role.id === current?.id ? 'true' : undefined },
      ),
    );
    if (manage && idx >= 0) {
      const swap = (other: Role | undefined) => {
        if (!other) return;
        api<Role[]>('PATCH', `/guilds/${guild.id}/roles`, [
          { id: role.id, position: other.position },
          { id: other.id, position: role.position },
        ])
          .then((updated) => {
            for (const r of updated ?? []) upsertRole(guild, r);
            actions.renderAll();
            reopen(role.id);
          })
          .catch(actions.showError);
      };
      item.append(
        button('▲', () => swap(movable[idx - 1]), {
          class: 'icon-btn',
          'aria-label': `Move ${role.name} up`,
          disabled: idx === 0 ? '' : undefined,
        }),
        button('▼', () => swap(movable[idx + 1]), {
          class: 'icon-btn',
          'aria-label': `Move ${role.name} down`,
          disabled: idx === movable.length - 1 ? '' : undefined,
        }),
      );
    }
    listEl.append(item);
  }
  const side = h('div', { class: 'role-side' }, listEl);
  if (manage) {
    side.prepend(
      button(
        'Create role',
        () => {
          api<Role>('POST', `/guilds/${guild.id}/roles`, { name: 'new role' })
            .then((role) => {
              upsertRole(guild, role);
              reopen(role.id);
            })
            .catch(actions.showError);
        },
        { class: 'primary', id: 'create-role' },
      ),
    );
  }
  return h('div', { class: 'roles-panel' }, side, current ? roleEditor(guild, current, manage, reopen) : h('div'));
}

function roleEditor(guild: GuildState, role: Role, manage: boolean, reopen: (id?: string) => void): HTMLElement {
  const everyone = role.id === guild.id;
  const name = h('input', { id: 'role-name', maxlength: '100', autocomplete: 'off' });
  name.value = role.name;
  const color = h('input', { id: 'role-color', type: 'color' });
  color.value = hexColor(role.color || 0x99aab5);
  const perms = BigInt(role.permissions);
  const grid = h('fieldset', { class: 'perm-grid' }, h('legend', {}, 'Permissions'));
  const boxes: [bigint, HTMLInputElement][] = [];
  for (const [key, label] of COMMON_PERMISSIONS) {
    const box = h('input', { type: 'checkbox', name: key, 'data-perm': key });
    box.checked = has(perms, P[key]);
    if (!manage) box.disabled = true;
    boxes.push([P[key], box]);
    grid.append(h('label', { class: 'check' }, box, label));
  }
  const form = h(
    'form',
    { class: 'stack role-editor', 'aria-label': `Edit role ${role.name}` },
    everyone ? h('p', { class: 'muted' }, 'Default permissions of every member.') : null,
    everyone ? null : field('Role name', name),
    everyone ? null : field('Role colour', color),
    grid,
  );
  if (manage) {
    const actionsRow = h('div', { class: 'row end' });
    if (!everyone) {
      actionsRow.append(
        button(
          'Delete role',
          () => {
            if (!confirm(`Delete the role ${role.name}?`)) return;
            api('DELETE', `/guilds/${guild.id}/roles/${role.id}`)
              .then(() => {
                guild.roles = guild.roles.filter((r) => r.id !== role.id);
                actions.renderAll();
                reopen();
              })
              .catch(actions.showError);
          },
          { class: 'danger', id: 'delete-role' },
        ),
      );
    }
    actionsRow.append(h('button', { type: 'submit', class: 'primary', id: 'save-role' }, 'Save changes'));
    form.append(actionsRow);
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // Bits the grid does not show are kept as they were.
    let next = perms;
    for (const [bit, box] of boxes) next = box.checked ? next | bit : next & ~bit;
    const body: Record<string, unknown> = { permissions: next.toString() };
    if (!everyone) {
      body.name = name.value.trim() || role.name;
      body.color = Number.parseInt(color.value.slice(1), 16);
    }
    api<Role>('PATCH', `/guilds/${guild.id}/roles/${role.id}`, body)
      .then((updated) => {
        upsertRole(guild, updated);
        actions.renderAll();
        reopen(role.id);
      })
      .catch(actions.showError);
  });
  return form;
}

/** Checkboxes of the roles a member has (editable with MANAGE_ROLES). */
export function memberRolesEditor(guild: GuildState, member: Member): HTMLElement {
  const manage = canManage(guild, P.MANAGE_ROLES);
  const box = h('fieldset', { class: 'member-roles' }, h('legend', {}, 'Roles'));
  for (const role of sortedRoles(guild)) {
    if (role.id === guild.id || role.managed) continue;
    const input = h('input', { type: 'checkbox', 'data-role': role.id });
    input.checked = member.roles.includes(role.id);
    input.disabled = !manage;
    input.addEventListener('change', () => {
      const path = `/guilds/${guild.id}/members/${member.user.id}/roles/${role.id}`;
      api(input.checked ? 'PUT' : 'DELETE', path).catch((e) => {
        input.checked = !input.checked;
        actions.showError(e);
      });
    });
    const dot = h('span', { class: 'role-dot', style: `background:${role.color ? hexColor(role.color) : '#99aab5'}` });
    box.append(h('label', { class: 'check' }, input, dot, role.name));
  }
  if (box.children.length === 1) box.append(h('p', { class: 'muted' }, 'No roles yet.'));
  return box;
}

function membersPanel(guild: GuildState, back: () => void): HTMLElement {
  const out = h('ul', { class: 'member-settings' });
  const members = [...guild.memberMap.values()].sort((a, b) => displayName(a.user).localeCompare(displayName(b.user)));
  for (const m of members) {
    out.append(
      h(
        'li',
        { 'data-user': m.user.id },
        h('div', { class: 'who' }, avatar(m.user, 32), h('span', { class: 'name' }, m.nick || displayName(m.user))),
        memberRolesEditor(guild, m),
        moderationButtons(guild, m, back),
      ),
    );
  }
  return out;
}

// ---- channel settings: permission overwrites --------------------------------------------------------------------

const OVERWRITE_PERMS: [bigint, string][] = [
  [P.VIEW_CHANNEL, 'View channel'],
  [P.SEND_MESSAGES, 'Send messages'],
  [P.ADD_REACTIONS, 'Add reactions'],
  [P.ATTACH_FILES, 'Attach files'],
];

export function openChannelSettings(guild: GuildState, channel: Channel): void {
  const roles = sortedRoles(guild);
  const roleSelect = h('select', { id: 'overwrite-role' });
  for (const r of roles) roleSelect.append(h('option', { value: r.id }, r.name));
  const rows = h('div', { class: 'overwrite-rows' });
  const renderRows = () => {
    const ow = (channel.permission_overwrites ?? []).find((o) => o.id === roleSelect.value);
    const allow = BigInt(ow?.allow ?? '0');
    const deny = BigInt(ow?.deny ?? '0');
    rows.replaceChildren(
      ...OVERWRITE_PERMS.map(([bit, label]) => {
        const sel = h(
          'select',
          { 'data-perm': label, 'aria-label': label },
          h('option', { value: 'inherit' }, '/ Inherit'),
          h('option', { value: 'allow' }, '✓ Allow'),
          h('option', { value: 'deny' }, '✕ Deny'),
        );
        sel.value = allow & bit ? 'allow' : deny & bit ? 'deny' : 'inherit';
        sel.dataset.bit = bit.toString();
        return h('label', { class: 'overwrite-row' }, h('span', {}, label), sel);
      }),
    );
  };
  roleSelect.addEventListener('change', renderRows);
  renderRows();
  const existing = h('p', { class: 'muted' });
  const describe = () => {
    const names = (channel.permission_overwrites ?? [])
      .filter((o) => o.type === 0)
      .map((o) => roles.find((r) => r.id === o.id)?.name ?? o.id);
    existing.textContent = names.length ? `Overwrites for: ${names.join(', ')}` : 'No overwrites yet.';
  };
  describe();
  const name = h('input', { id: 'channel-name-input', maxlength: '100' });
  name.value = channel.name ?? '';
  const form = h(
    'form',
    { class: 'stack', id: 'overwrite-form' },
    field('Channel name', name),
    h('h3', {}, 'Permissions'),
    existing,
    field('Role', roleSelect),
    rows,
    h(
      'div',
      { class: 'row end' },
      button(
        'Delete channel',
        () => {
          if (!confirm(`Delete #${channel.name}?`)) return;
          api('DELETE', `/channels/${channel.id}`)
            .then(() => closeDialog())
            .catch(actions.showError);
        },
        { class: 'danger' },
      ),
      h('button', { type: 'submit', class: 'primary', id: 'save-overwrite' }, 'Save'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let allow = 0n;
    let deny = 0n;
    const ow = (channel.permission_overwrites ?? []).find((o) => o.id === roleSelect.value);
    // Bits not shown keep their overwrite.
    const shownBits = OVERWRITE_PERMS.reduce((acc, [b]) => acc | b, 0n);
    allow = BigInt(ow?.allow ?? '0') & ~shownBits;
    deny = BigInt(ow?.deny ?? '0') & ~shownBits;
    for (const sel of Array.from(rows.querySelectorAll('select'))) {
      const bit = BigInt(sel.dataset.bit!);
      if (sel.value === 'allow') allow |= bit;
      if (sel.value === 'deny') deny |= bit;
    }
    const jobs: Promise<unknown>[] = [];
    if (name.value.trim() && name.value.trim() !== channel.name) {
      jobs.push(
        api<Channel>('PATCH', `/channels/${channel.id}`, { name: name.value.trim() }).then((c) =>
          upsertChannel(guild, c),
        ),
      );
    }
    const roleId = roleSelect.value;
    const path = `/channels/${channel.id}/permissions/${roleId}`;
    jobs.push(
      allow === 0n && deny === 0n
        ? ow
          ? api('DELETE', path)
          : Promise.resolve()
        : api('PUT', path, { type: 0, allow: allow.toString(), deny: deny.toString() }),
    );
    Promise.all(jobs)
      .then(() => {
        const others = (channel.permission_overwrites ?? []).filter((o) => o.id !== roleId);
        channel.permission_overwrites =
          allow === 0n && deny === 0n
            ? others
            : [...others, { id: roleId, type: 0, allow: allow.toString(), deny: deny.toString() }];
        describe();
        actions.renderAll();
        const status = form.querySelector('.saved') ?? h('span', { class: 'saved muted', role: 'status' });
        status.textContent = 'Saved.';
        form.append(status);
      })
      .catch(actions.showError);
  });
  openDialog(`#${channelLabel(channel)} — settings`, form);
}

// ---- a member's profile ----------------------------------------------------------------------------------------

export function openProfile(userId: string, guildId: string | null): void {
  const guild = guildId ? state.guilds.get(guildId) : undefined;
  const member = guild?.memberMap.get(userId);
  const user = member?.user ?? state.users.get(userId);
  if (!user) return;
  const body: Node[] = [
    h(
      'div',
      { class: 'profile' },
      avatar(user, 64),
      h(
        'div',
        {},
        h('div', { class: 'profile-name' }, member?.nick || displayName(user)),
        h('div', { class: 'muted' }, user.username, user.bot ? h('span', { class: 'bot-tag' }, 'BOT') : null),
        h('div', { class: 'muted' }, state.presence.get(userId) ?? 'offline'),
      ),
    ),
  ];
  if (userId !== state.me?.id) {
    body.push(
      button(
        `Message @${displayName(user)}`,
        () => {
          closeDialog();
          actions.openDm(userId);
        },
        { class: 'primary', id: 'profile-dm' },
      ),
    );
  }
  if (guild && member) {
    body.push(memberRolesEditor(guild, member));
    const mod = moderationButtons(guild, member, () => openProfile(userId, guildId));
    if (mod) body.push(mod);
  }
  openDialog(displayName(user), ...body);
}
