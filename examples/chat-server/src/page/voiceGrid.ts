// What the page plays of the others: one hidden <audio> per receive slot (deafen mutes them all) and the video grid —
// one tile per receive slot's video while it is bound to a member and frames come, plus my own video preview — above
// the messages — and the Go Live streams I watch (`data-kind` stream, and stream-audio for their sound). Every slot's
// element names its slot (`data-slot`), the member it plays now (`data-user`, empty while the slot is free) and what it
// shows (`data-kind`: audio, video, self-camera, self-screen, stream, stream-audio).

import type { SlotTrack } from '@concord/voice/browser';
import { $, h } from './dom.js';
import { memberName, state } from './state.js';

let deafened = false;
/** Slot → the member it plays: kept apart from the elements, since a binding may come before the slot's track. */
const bound = new Map<number, string>();

function label(userId: string): string {
  return memberName(state.guildId ? state.guilds.get(state.guildId) : undefined, userId) ?? 'someone';
}

function updateGridVisibility(): void {
  const grid = $('voice-grid');
  grid.hidden = grid.querySelector('.voice-tile:not([hidden])') === null;
}

function tile(video: HTMLVideoElement, userId: string, kind: string, caption: string): HTMLElement {
  return h(
    'figure',
    { class: `voice-tile ${kind}`, 'data-user': userId, 'data-kind': kind },
    video,
    h('figcaption', {}, caption),
  );
}

/** The tile and audio element of a slot. */
function slotElements(slot: number): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>(`[data-slot="${slot}"]`));
}

/** A tile shows while its slot is bound and its track has frames (a camera turned off goes quiet: muted). */
function refreshTile(el: HTMLElement, track: MediaStreamTrack): void {
  el.hidden = !el.dataset.user || track.muted || track.readyState === 'ended';
  updateGridVisibility();
}

/** Plays remote audio in the hidden audio box (muted while deafened; autoplay may be refused until a click). */
function playAudio(attrs: Record<string, string>, media: MediaStream): void {
  const audio = h('audio', attrs);
  audio.srcObject = media;
  audio.autoplay = true;
  audio.muted = deafened;
  $('voice-audio').append(audio);
  void audio.play().catch(() => undefined);
}

/** A muted, inline, autoplaying video element for a remote track (its sound, if any, goes through `playAudio`). */
function videoOf(media: MediaStream): HTMLVideoElement {
  const video = h('video', { playsinline: '' });
  video.muted = true;
  video.autoplay = true;
  video.srcObject = media;
  return video;
}

/** A receive slot's track (all arrive with the answer): audio plays at once, video gets its (hidden) tile. */
export function addSlotTrack({ slot, track }: SlotTrack): void {
  if (track.kind === 'audio') {
    playAudio(
      { 'data-slot': String(slot), 'data-user': bound.get(slot) ?? '', 'data-kind': 'audio' },
      new MediaStream([track]),
    );
    return;
  }
  const video = videoOf(new MediaStream([track]));
  const userId = bound.get(slot);
  const el = tile(video, userId ?? '', 'video', userId ? label(userId) : '');
  el.dataset.slot = String(slot);
  el.hidden = true;
  for (const event of ['mute', 'unmute', 'ended']) track.addEventListener(event, () => refreshTile(el, track));
  // Read again when the slot is bound or freed.
  el.addEventListener('slotchange', () => refreshTile(el, track));
  $('voice-grid').append(el);
  void video.play().catch(() => undefined);
}

/** The server bound a slot to a member (voice op 12), or the member left (null). */
export function bindSlot(slot: number, userId: string | null): void {
  if (userId) bound.set(slot, userId);
  else bound.delete(slot);
  for (const el of slotElements(slot)) {
    el.dataset.user = userId ?? '';
    const caption = el.querySelector('figcaption');
    if (caption) caption.textContent = userId ? label(userId) : '';
    el.dispatchEvent(new Event('slotchange'));
  }
}

/** Frees the slots bound to a member (they left the channel). */
export function dropUser(userId: string): void {
  for (const [slot, user] of [...bound]) if (user === userId) bindSlot(slot, null);
}

/** My own camera or screen, shown mirrored back to me (null removes it). */
export function showOwnVideo(kind: 'self-camera' | 'self-screen', stream: MediaStream | null): void {
  $('voice-grid').querySelector(`.voice-tile[data-kind="${kind}"]`)?.remove();
  if (stream) {
    const video = h('video', { 'data-kind': kind, playsinline: '' });
    video.muted = true;
    video.autoplay = true;
    video.srcObject = stream;
    const caption = kind === 'self-camera' ? 'You' : 'Your screen';
    $('voice-grid').append(tile(video, state.me?.id ?? '', kind, caption));
    void video.play().catch(() => undefined);
  }
  updateGridVisibility();
}

/**
 * A stream I watch (Go Live): its video as a tile captioned with the streamer, shown while frames come, and its sound
 * if it has any; null removes both.
 */
export function showStream(userId: string, track: MediaStreamTrack | null): void {
  if (!track) {
    for (const el of Array.from(document.querySelectorAll(`[data-kind^="stream"][data-user="${userId}"]`))) el.remove();
    updateGridVisibility();
    return;
  }
  const media = new MediaStream([track]);
  if (track.kind === 'audio') {
    playAudio({ 'data-user': userId, 'data-kind': 'stream-audio' }, media);
    return;
  }
  const video = videoOf(media);
  const el = tile(video, userId, 'stream', `${label(userId)} (live)`);
  el.hidden = true;
  for (const event of ['mute', 'unmute', 'ended']) track.addEventListener(event, () => refreshTile(el, track));
  $('voice-grid').append(el);
  refreshTile(el, track);
  void video.play().catch(() => undefined);
}

export function setDeafened(on: boolean): void {
  deafened = on;
  for (const audio of Array.from(document.querySelectorAll<HTMLAudioElement>('#voice-audio audio'))) audio.muted = on;
}

/** The voice connection's media gone (left the channel, or reconnecting); streams go with their own connections. */
export function clearMedia(): void {
  bound.clear();
  const own = '[data-slot], [data-kind="self-camera"]';
  for (const el of Array.from(document.querySelectorAll(`#voice-audio :is(${own}), #voice-grid :is(${own})`))) {
    el.remove();
  }
  updateGridVisibility();
}
