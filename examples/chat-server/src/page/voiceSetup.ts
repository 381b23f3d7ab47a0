// Wires voice into the page once at startup: the channel list redraws when who is in a voice channel changes (and only
// lights indicators when who is speaking changes, and when I start or stop watching a stream), the voice panel follows
// the session.
import { showError } from './dom.js';
import { renderChannels } from './sidebar.js';
import { onStreamChange } from './streamSession.js';
import { refreshSpeaking } from './voiceMembers.js';
import { renderVoicePanel } from './voicePanel.js';
import { joinVoice, onVoiceViewChange, setMainGatewaySender } from './voiceSession.js';
import { onVoiceStatesChange } from './voiceStates.js';

export function setupVoice(): void {
  onVoiceStatesChange((change) => (change === 'speaking' ? refreshSpeaking() : renderChannels()));
  onVoiceViewChange(renderVoicePanel);
  onStreamChange(renderChannels);
}

/** op 4 goes out on this main gateway connection. */
export function useMainGateway(connection: { send(payload: { op: number; d: unknown }): Promise<void> }): void {
  setMainGatewaySender((payload) => void connection.send(payload).catch(showError));
}

/** A voice channel clicked in the list. */
export function joinVoiceChannel(guildId: string, channelId: string): void {
  joinVoice(guildId, channelId).catch(showError);
}
