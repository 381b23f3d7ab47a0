// Who is in a voice channel, listed under it in the channel list as Discord shows it: avatar, name, a ring while
// speaking, and marks for muted, deafened, camera on and live (streaming, Go Live). A live member of the channel I am in
// has a Watch button (Stop watching while I watch).
import { button, h } from './dom.js';
import { avatar, type GuildState, memberName, state } from './state.js';
import { canWatch, isWatching, toggleWatch } from './streamSession.js';
import { isSpeaking, voiceStatesIn } from './voiceStates.js';

/** The list of a voice channel's members, or null when it is empty. */
export function voiceMembersList(guild: GuildState, channelId: string): HTMLUListElement | null {
  const members = voiceStatesIn(channelId);
  if (members.length === 0) return null;
  return h(
    'ul',
    { class: 'voice-members', 'aria-label': 'In the channel' },
    members.map((s) => {
      const user = guild.memberMap.get(s.user_id)?.user ?? state.users.get(s.user_id);
      const marks = [
        s.self_deaf || s.deaf ? 'deafened' : s.self_mute || s.mute ? 'muted' : '',
        s.self_video ? 'camera' : '',
        s.self_stream ? 'live' : '',
      ].filter(Boolean);
      const name = memberName(guild, s.user_id) ?? 'someone';
      const watchable = s.self_stream && s.user_id !== state.me?.id && canWatch(channelId);
      const watching = watchable && isWatching(guild.id, channelId, s.user_id);
      return h(
        'li',
        {
          class: `voice-member${isSpeaking(s.user_id) ? ' speaking' : ''}`,
          'data-user': s.user_id,
          'data-marks': marks.join(' '),
        },
        h('span', { class: 'voice-avatar' }, user ? avatar(user, 20) : ''),
        h('span', { class: 'name' }, name),
        ...marks.map((m) => h('span', { class: `voice-mark ${m}`, title: m }, m === 'live' ? 'LIVE' : m)),
        watchable
          ? button(watching ? 'Stop watching' : 'Watch', () => toggleWatch(guild.id, channelId, s.user_id), {
              class: 'voice-watch',
              'data-user': s.user_id,
              'aria-pressed': String(watching),
              'aria-label': `${watching ? 'Stop watching' : 'Watch'} ${name}’s stream`,
            })
          : '',
      );
    }),
  );
}

/** Lights or dims every speaking indicator in place (speaking changes many times a second: no redraw). */
export function refreshSpeaking(): void {
  for (const li of Array.from(document.querySelectorAll<HTMLElement>('.voice-member[data-user]'))) {
    li.classList.toggle('speaking', isSpeaking(li.dataset.user ?? ''));
  }
}
