// Who is in a voice channel, listed under it in the channel list as Discord shows it: avatar, name, a ring while
// speaking, and marks for muted, deafened and camera on.
import { h } from './dom.js';
import { avatar, type GuildState, memberName, state } from './state.js';
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
      ].filter(Boolean);
      return h(
        'li',
        {
          class: `voice-member${isSpeaking(s.user_id) ? ' speaking' : ''}`,
          'data-user': s.user_id,
          'data-marks': marks.join(' '),
        },
        h('span', { class: 'voice-avatar' }, user ? avatar(user, 20) : ''),
        h('span', { class: 'name' }, memberName(guild, s.user_id) ?? 'someone'),
        ...marks.map((m) => h('span', { class: `voice-mark ${m}`, title: m }, m)),
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
