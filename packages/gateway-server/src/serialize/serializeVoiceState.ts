import type { GatewayVoiceState } from 'discord-api-types/v10';
import type { VoiceStateData } from '../types.js';
import { discordTimestampOrNull } from './discordTimestamp.js';
import { bool } from './fields.js';
import { serializeMember } from './serializeMember.js';

/**
 * Discord's voice state (VOICE_STATE_UPDATE with `member`, GUILD_CREATE `voice_states` without it, as Discord sends
 * them there). `self_stream` and `request_to_speak_timestamp` are optional in discord-api-types but always sent.
 */
export function serializeVoiceState(state: VoiceStateData, withMember = true): GatewayVoiceState {
  const out: GatewayVoiceState = {
    channel_id: state.channel_id,
    user_id: state.user_id,
    session_id: state.session_id,
    deaf: state.deaf,
    mute: state.mute,
    self_deaf: state.self_deaf,
    self_mute: state.self_mute,
    self_stream: bool(state.self_stream, false),
    self_video: state.self_video,
    suppress: state.suppress,
    request_to_speak_timestamp: discordTimestampOrNull(state.request_to_speak_timestamp as string | null | undefined),
  };
  if (state.guild_id !== undefined) out.guild_id = state.guild_id;
  if (withMember && state.member) out.member = serializeMember(state.member);
  return out;
}
