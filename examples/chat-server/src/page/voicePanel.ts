// The voice panel above my name in the sidebar while I am in a voice channel: where I am and how the connection
// stands, and the buttons — mute, deafen, camera, share screen (Go Live), leave — each with `aria-pressed` saying its
// state. Without a voice server only Leave is offered.
import { $, button, h, showError } from './dom.js';
import { findChannel } from './state.js';
import { toggleLive } from './streamSession.js';
import { leaveVoice, toggleCamera, toggleDeafen, toggleMute, type VoiceView } from './voiceSession.js';

const STATUS = {
  joining: 'Joining…',
  connecting: 'Connecting…',
  connected: 'Voice connected',
  unavailable: 'Voice unavailable',
} as const;

function toggle(label: string, pressed: boolean, id: string, onClick: () => void): HTMLButtonElement {
  return button(label, onClick, { id, class: 'voice-btn', 'aria-pressed': String(pressed) });
}

/** Draws the panel for `view` (hidden when not in voice). */
export function renderVoicePanel(view: VoiceView | null): void {
  const panel = $('voice-panel');
  panel.hidden = view === null;
  if (!view) {
    panel.replaceChildren();
    return;
  }
  const channel = findChannel(view.channelId);
  panel.dataset.status = view.status;
  panel.replaceChildren(
    h(
      'div',
      { class: 'voice-where' },
      h('strong', { id: 'voice-status', class: `voice-status ${view.status}` }, STATUS[view.status]),
      h('span', { class: 'voice-channel muted' }, channel?.name ?? ''),
      view.live ? h('span', { id: 'voice-live', class: 'voice-live' }, `LIVE · ${view.viewers} watching`) : '',
    ),
    view.status === 'unavailable'
      ? h(
          'div',
          { class: 'voice-buttons' },
          h('span', { class: 'muted' }, 'This server has no voice server.'),
          button('Leave', leaveVoice, { id: 'voice-leave', class: 'voice-btn danger' }),
        )
      : buttons(view),
  );
}

function buttons(view: VoiceView): HTMLElement {
  return h(
    'div',
    { class: 'voice-buttons' },
    toggle(
      view.selfMute || view.selfDeaf ? 'Unmute' : 'Mute',
      view.selfMute || view.selfDeaf,
      'voice-mute',
      toggleMute,
    ),
    toggle(view.selfDeaf ? 'Undeafen' : 'Deafen', view.selfDeaf, 'voice-deafen', toggleDeafen),
    toggle('Camera', view.video === 'camera', 'voice-camera', () => toggleCamera().catch(showError)),
    toggle(view.live ? 'Stop streaming' : 'Share screen', view.live, 'voice-screen', () =>
      toggleLive().catch(showError),
    ),
    button('Leave', leaveVoice, { id: 'voice-leave', class: 'voice-btn danger' }),
  );
}
