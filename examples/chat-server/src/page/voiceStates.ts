// Who is in which voice channel: GUILD_CREATE's `voice_states` and every VOICE_STATE_UPDATE after it (the
// GUILD_VOICE_STATES intent), kept per guild and user as Discord's clients keep them. Who is speaking right now (voice
// op 5 from the voice server for the others, the microphone's level for me) is kept here too, so the channel list and
// the voice panel draw the same thing.

export interface VoiceState {
  guild_id?: string;
  channel_id: string | null;
  user_id: string;
  session_id?: string;
  self_mute?: boolean;
  self_deaf?: boolean;
  self_video?: boolean;
  self_stream?: boolean;
  mute?: boolean;
  deaf?: boolean;
}

/** guild id → (user id → voice state), channel_id never null (leaving removes the entry). */
const states = new Map<string, Map<string, VoiceState>>();
/** Users whose speaking indicator is lit. */
const speaking = new Set<string>();
/** What changed: who is where (redraw the lists) or only who is speaking (toggle the indicators in place). */
export type VoiceChange = 'members' | 'speaking';
const listeners = new Set<(change: VoiceChange) => void>();

/** Calls `listener` whenever who is in a channel, or who is speaking, changes. */
export function onVoiceStatesChange(listener: (change: VoiceChange) => void): void {
  listeners.add(listener);
}

function changed(change: VoiceChange = 'members'): void {
  for (const listener of listeners) listener(change);
}

/** A VOICE_STATE_UPDATE (or an entry of GUILD_CREATE's `voice_states`, with the guild id given). */
export function applyVoiceState(guildId: string, state: VoiceState): void {
  const guild = states.get(guildId) ?? new Map<string, VoiceState>();
  states.set(guildId, guild);
  if (state.channel_id === null) {
    guild.delete(state.user_id);
    speaking.delete(state.user_id);
  } else guild.set(state.user_id, { ...state, guild_id: guildId });
  changed();
}

/** GUILD_CREATE: the guild's voice states replace what was known of it. */
export function loadVoiceStates(guildId: string, list: VoiceState[] | undefined): void {
  states.set(guildId, new Map((list ?? []).map((s) => [s.user_id, { ...s, guild_id: guildId }])));
  changed();
}

/** The voice states of the members in a channel, in join-insertion order. */
export function voiceStatesIn(channelId: string): VoiceState[] {
  const found: VoiceState[] = [];
  for (const guild of states.values()) for (const s of guild.values()) if (s.channel_id === channelId) found.push(s);
  return found;
}

export function voiceStateOf(guildId: string, userId: string): VoiceState | undefined {
  return states.get(guildId)?.get(userId);
}

export function setSpeaking(userId: string, on: boolean): void {
  if (speaking.has(userId) === on) return;
  if (on) speaking.add(userId);
  else speaking.delete(userId);
  changed('speaking');
}

export function isSpeaking(userId: string): boolean {
  return speaking.has(userId);
}

/** Out of voice: nobody's speaking is known any more. */
export function clearSpeaking(): void {
  if (speaking.size === 0) return;
  speaking.clear();
  changed('speaking');
}
