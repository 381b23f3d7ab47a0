// The reference game page: a player of the demo party (src/demoLobby.ts plays the game backend) through
// @concord/games/client's GameClient: the gateway with a player token, the party joined with its join token, party chat,
// party voice over WebRTC, and the player's position sent to the voice server (trusted mode, op 1001) as the arrow keys
// move the dot, so who hears whom follows the map. `window.game` is there for the browser test (and a console).
import { GameClient, type GameMessage } from '@concord/games/client';
import { type DemoPlayer, type DemoPosition, type DemoTicket, demoWorld } from '../demoWorld.js';
import { createMapView } from './mapView.js';

/** What the page shares on `window.game`. */
export interface GamePage {
  client: GameClient;
  ticket: DemoTicket;
  position: DemoPosition;
}

declare global {
  interface Window {
    game?: GamePage;
  }
}

/** How often the page asks the demo server where everyone is, ms (the dots of the others). */
const STATE_POLL_MS = 200;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function setStatus(state: string, text: string): void {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

function showMessage(message: GameMessage): void {
  const li = document.createElement('li');
  li.dataset.author = message.author.id;
  const who = document.createElement('b');
  who.textContent = message.author.globalName ?? message.author.username;
  li.append(who, message.content);
  $('messages').append(li);
  li.scrollIntoView({ block: 'end' });
}

/** Plays a remote player's audio: one `<audio data-user>` each, its stream replaced when their slot changes. */
function play(userId: string, track: MediaStreamTrack): void {
  let audio = document.querySelector<HTMLAudioElement>(`#voice-audio audio[data-user="${userId}"]`);
  if (!audio) {
    audio = document.createElement('audio');
    audio.dataset.user = userId;
    audio.autoplay = true;
    $('voice-audio').append(audio);
  }
  audio.srcObject = new MediaStream([track]);
  void audio.play().catch(() => undefined);
}

function renderRoster(players: readonly DemoPlayer[], me: string, speaking: ReadonlySet<string>): void {
  const list = $('players');
  const items = players.map((p) => {
    const li = document.createElement('li');
    li.dataset.user = p.id;
    li.textContent = p.name;
    li.classList.toggle('me', p.id === me);
    li.classList.toggle('speaking', speaking.has(p.id));
    return li;
  });
  list.replaceChildren(...items);
}

async function start(name: string): Promise<void> {
  $('login').hidden = true;
  $('game').hidden = false;
  setStatus('joining', 'joining…');
  const res = await fetch('/demo/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`the demo refused to join (${res.status})`);
  const ticket = (await res.json()) as DemoTicket;
  const client = new GameClient({ baseUrl: location.origin, token: ticket.token });
  const page: GamePage = { client, ticket, position: { ...ticket.spawn } };
  window.game = page;
  const speaking = new Set<string>();
  let players: DemoPlayer[] = [];
  const map = createMapView($<HTMLCanvasElement>('map'));
  const redraw = () => {
    map({ players, me: ticket.userId, speaking });
    renderRoster(players, ticket.userId, speaking);
  };

  client.on('message', showMessage);
  client.on('voiceTrack', play);
  client.on('speaking', (userId, on) => {
    if (on) speaking.add(userId);
    else speaking.delete(userId);
    redraw();
  });
  client.on('voiceStatus', (status) => {
    if (status === 'closed') setStatus('closed', 'voice disconnected');
  });
  client.on('partyLeft', () => setStatus('ended', 'the party ended'));
  client.on('error', (error) => console.warn('[game]', error));

  await client.connect();
  await client.joinParty(ticket.partyId, ticket.joinToken);
  setStatus('party', 'in the party; joining voice…');
  // No microphone (or no permission): the player still hears the others.
  const microphone = await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => null);
  await client.joinVoice(microphone);

  const move = async (to: DemoPosition) => {
    page.position = {
      x: Math.min(Math.max(to.x, 0), demoWorld.width),
      y: Math.min(Math.max(to.y, 0), demoWorld.height),
    };
    // The voice server places the player (who hears whom); the demo server tells the other pages where to draw them.
    client.sendPosition(page.position);
    const self = players.find((p) => p.id === ticket.userId);
    if (self) Object.assign(self, page.position);
    redraw();
    await fetch('/demo/position', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ticket.token}` },
      body: JSON.stringify(page.position),
    });
  };
  const keys: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, -1],
    ArrowDown: [0, 1],
  };
  window.addEventListener('keydown', (event) => {
    const step = keys[event.key];
    if (!step || document.activeElement === $('chat-input')) return;
    event.preventDefault();
    const { x, y } = page.position;
    void move({ x: x + step[0] * demoWorld.step, y: y + step[1] * demoWorld.step }).catch(console.warn);
  });
  $('chat').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('chat-input');
    const content = input.value.trim();
    input.value = '';
    if (content) client.say(content).catch((error: Error) => setStatus('error', error.message));
  });

  const mute = $<HTMLButtonElement>('mute');
  mute.disabled = false;
  mute.addEventListener('click', () => {
    const muted = mute.getAttribute('aria-pressed') !== 'true';
    client.setMuted(muted);
    mute.setAttribute('aria-pressed', String(muted));
    mute.textContent = muted ? 'Unmute' : 'Mute';
  });

  await move(page.position);
  const poll = async () => {
    const state = (await (await fetch('/demo/state')).json()) as { players: DemoPlayer[] };
    // The server's copy of my own position may lag the keys: mine is drawn where I am.
    players = state.players.map((p) => (p.id === ticket.userId ? { ...p, ...page.position } : p));
    redraw();
  };
  setInterval(() => void poll().catch(() => undefined), STATE_POLL_MS);
  await poll();
  $('map').focus();
  setStatus('voice', microphone ? 'in voice: arrow keys move' : 'in voice (no microphone): arrow keys move');
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  start($<HTMLInputElement>('login-name').value).catch((error: Error) => setStatus('error', error.message));
});
// `?name=ada` joins at once (links to share, and the browser test).
const preset = new URLSearchParams(location.search).get('name');
if (preset) start(preset).catch((error: Error) => setStatus('error', error.message));
