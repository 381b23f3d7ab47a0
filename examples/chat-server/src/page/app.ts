// The chat page: a Discord client for this server. It speaks only what any Discord client speaks: REST v10 under
// /api/v10 and the gateway over a WebSocket, through @concord/gateway-client's browser build (JSON + zlib-stream,
// resume, zombie detection). Dev auth: the token is the user name.
import { GatewayConnection } from '@concord/gateway-client';
import { setToken } from './api.js';
import { openAppsMenu } from './commandRunner.js';
import { setupComposer } from './composer.js';
import { closeDialog } from './dialog.js';
import { onDispatch } from './dispatch.js';
import { $, showError } from './dom.js';
import { fillIcons } from './icons.js';
import {
  acceptInviteFromHash,
  closeDrawer,
  INVITE_HASH,
  openDm,
  renderAll,
  selectChannel,
  selectGuild,
  userSelect,
} from './navigation.js';
import { openCreateGuild, openProfile } from './settings.js';
import { renderTyping, setupSidebar } from './sidebar.js';
import { actions, findChannel, state } from './state.js';
import { openThreadList } from './threads.js';
import { voiceDispatch } from './voiceSession.js';
import { joinVoiceChannel, setupVoice, useMainGateway } from './voiceSetup.js';

// GUILDS | GUILD_MEMBERS | GUILD_MODERATION | GUILD_VOICE_STATES | GUILD_PRESENCES | GUILD_MESSAGES |
// GUILD_MESSAGE_REACTIONS | GUILD_MESSAGE_TYPING | DIRECT_MESSAGES | DIRECT_MESSAGE_REACTIONS | DIRECT_MESSAGE_TYPING | MESSAGE_CONTENT
const INTENTS = 1 | 2 | 4 | 128 | 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384 | 32768;

let gateway: GatewayConnection | null = null;

// ---- login -----------------------------------------------------------------------------------------------------

function start(token: string): void {
  setToken(token);
  $('login').hidden = true;
  $('app').hidden = false;
  const conn = $('conn');
  const connection = new GatewayConnection({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`,
    token,
    intents: INTENTS,
    properties: { os: navigator.platform || 'web', browser: 'concord-web', device: 'concord-web' },
    // Identify with a presence so the others see us come online.
    presence: { status: 'online', since: null, activities: [], afk: false },
  });
  gateway = connection;
  useMainGateway(connection);
  connection.on('dispatch', (p) => {
    try {
      onDispatch(p.t, p.d);
      voiceDispatch(p.t, p.d);
    } catch (e) {
      console.error(e);
    }
  });
  connection.on('ready', () => {
    conn.textContent = '';
  });
  connection.on('resumed', () => {
    conn.textContent = '';
  });
  connection.on('closed', (info) => {
    conn.textContent = info.next === 'none' ? 'disconnected' : 'reconnecting…';
  });
  conn.textContent = 'connecting…';
  connection.connect().catch(showError);
}

function main(): void {
  Object.assign(actions, {
    selectChannel,
    selectGuild,
    openDm: (id: string) => void openDm(id),
    openProfile,
    renderAll,
    showError,
    openAppsMenu,
  });
  setupSidebar({
    pickGuild: (id) => userSelect(() => selectGuild(id)),
    pickChannel: (id) => userSelect(() => selectChannel(id)),
    joinVoice: joinVoiceChannel,
  });
  setupVoice();
  setInterval(renderTyping, 1000);
  fillIcons();
  setupComposer();
  $('home-btn').addEventListener('click', () => userSelect(() => selectGuild(null)));
  $('add-guild').addEventListener('click', openCreateGuild);
  $('menu-btn').addEventListener('click', () => $('app').classList.toggle('drawer-open'));
  $('threads-btn').addEventListener('click', openThreadList);
  $('members-btn').addEventListener('click', () => $('app').classList.toggle('members-open'));
  $('scrim').addEventListener('click', closeDrawer);
  $<HTMLDialogElement>('dialog').addEventListener('click', (e) => {
    if (e.target === e.currentTarget) closeDialog();
  });
  window.addEventListener('hashchange', () => void acceptInviteFromHash());
  document.addEventListener('visibilitychange', () => {
    const c = findChannel(state.channelId);
    if (document.visibilityState === 'visible' && c?.last_message_id) {
      localStorage.setItem(`concord.read.${state.me?.id ?? ''}.${c.id}`, c.last_message_id);
      renderAll();
    }
  });
  const saved = localStorage.getItem('concord.token');
  $<HTMLFormElement>('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $<HTMLInputElement>('login-name').value.trim();
    if (!name) return;
    localStorage.setItem('concord.token', name);
    start(name);
  });
  $('logout').addEventListener('click', () => {
    localStorage.removeItem('concord.token');
    gateway?.destroy();
    location.reload();
  });
  if (saved) start(saved);
  else {
    $('login').hidden = false;
    if (INVITE_HASH.test(location.hash)) $('login-hint').textContent = 'Log in to accept your invite.';
    $('login-name').focus();
  }
}

main();
