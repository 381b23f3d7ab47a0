// Being in a voice channel, as Discord's web client does it: op 4 on the main gateway (VOICE_STATE_UPDATE and
// VOICE_SERVER_UPDATE answer), then the voice gateway the server named, and one RTCPeerConnection whose offer goes in
// Select Protocol (`protocol: 'webrtc'`) and whose answer comes back in Session Description (docs/protocol.md,
// "Browsers (WebRTC)"). Mute, deafen and the camera are both a local change and a voice state the others see. Sharing
// the screen is Go Live (streamSession.ts): a stream of its own beside this connection, so the camera stays on.

import { VoiceOpcode as VoiceOp } from '@concord/protocol';
import {
  codecsOf,
  type LevelMeter,
  type VoiceReady as Ready,
  SLOTS,
  VoiceGatewaySocket,
  VoicePeer,
  videoPayload,
  watchLevel,
} from '@concord/voice/browser';
import { showError } from './dom.js';
import { state } from './state.js';
import {
  isLive,
  liveViewers,
  onStreamChange,
  setStreamChannel,
  setStreamSender,
  streamDispatch,
} from './streamSession.js';
import { addSlotTrack, bindSlot, clearMedia, dropUser, setDeafened, showOwnVideo } from './voiceGrid.js';
import { applyVoiceState, clearSpeaking, loadVoiceStates, setSpeaking, type VoiceState } from './voiceStates.js';

/** What the page's voice session shows: the panel reads it after every change. */
export interface VoiceView {
  guildId: string;
  channelId: string;
  /** `unavailable`: the server has no voice server (VOICE_SERVER_UPDATE without an endpoint, e.g. VOICE=off). */
  status: 'joining' | 'connecting' | 'connected' | 'unavailable';
  selfMute: boolean;
  selfDeaf: boolean;
  video: 'off' | 'camera';
  /** I stream my screen (Go Live), and how many watch it. */
  live: boolean;
  viewers: number;
}

interface Session extends VoiceView {
  mic: MediaStream;
  audio: AudioContext;
  socket: VoiceGatewaySocket | null;
  /** The voice server the socket is connected to (VOICE_SERVER_UPDATE's endpoint). */
  endpoint: string | null;
  peer: VoicePeer | null;
  meter: LevelMeter | null;
  ready: Ready | null;
  videoStream: MediaStream | null;
  /** Slot bindings (op 12) that came before the answer said which SSRC is which slot. */
  early: Map<number, string>;
}

let current: Session | null = null;
/** The microphone is being asked for (getUserMedia pending). */
let asking = false;
let sendMain: (payload: { op: number; d: unknown }) => void = () => undefined;
const viewListeners = new Set<(view: VoiceView | null) => void>();

/** How op 4 reaches the main gateway (set once by app.ts). */
export function setMainGatewaySender(send: (payload: { op: number; d: unknown }) => void): void {
  sendMain = send;
  setStreamSender(send);
}

onStreamChange(() => {
  if (current) Object.assign(current, { live: isLive(), viewers: liveViewers() });
  changed();
});

export function onVoiceViewChange(listener: (view: VoiceView | null) => void): void {
  viewListeners.add(listener);
}

function changed(): void {
  for (const listener of viewListeners) listener(current);
}

function sendVoiceState(s: Session | null, guildId: string): void {
  sendMain({
    op: 4,
    d: {
      guild_id: guildId,
      channel_id: s?.channelId ?? null,
      self_mute: s ? s.selfMute || s.selfDeaf : false,
      self_deaf: s?.selfDeaf ?? false,
      self_video: s?.video === 'camera',
    },
  });
}

/** Joins a voice channel (leaving the one I am in first). */
export async function joinVoice(guildId: string, channelId: string): Promise<void> {
  if (current?.channelId === channelId || asking) return;
  // Moving: the op 4 below names the new channel (no leave in between, which would race with it); the old voice
  // connection closes here.
  if (current) {
    teardown(current);
    current = null;
  }
  // One microphone prompt at a time: clicks while it is open are ignored.
  asking = true;
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true }).finally(() => {
    asking = false;
  });
  const audio = new AudioContext();
  void audio.resume();
  current = {
    ...{
      guildId,
      channelId,
      status: 'joining',
      selfMute: false,
      selfDeaf: false,
      video: 'off',
      live: false,
      viewers: 0,
    },
    ...{
      mic,
      audio,
      socket: null,
      endpoint: null,
      peer: null,
      meter: null,
      ready: null,
      videoStream: null,
      early: new Map(),
    },
  };
  sendVoiceState(current, guildId);
  setStreamChannel({ guildId, channelId });
  changed();
}

/** Leaves the voice channel: op 4 with no channel, and every local part closed. */
export function leaveVoice(): void {
  const s = current;
  if (!s) return;
  current = null;
  setStreamChannel(null);
  sendVoiceState(null, s.guildId);
  teardown(s);
  changed();
}

function teardown(s: Session): void {
  s.meter?.stop();
  s.socket?.close();
  s.peer?.close();
  for (const track of [...s.mic.getTracks(), ...(s.videoStream?.getTracks() ?? [])]) track.stop();
  void s.audio.close();
  clearSpeaking();
  clearMedia();
}

// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
export function voiceDispatch(t: string, d: any): void {
  if (t === 'GUILD_CREATE' && !d.unavailable) loadVoiceStates(d.id, d.voice_states as VoiceState[] | undefined);
  else if (t === 'VOICE_STATE_UPDATE' && d.guild_id) {
    applyVoiceState(d.guild_id, d as VoiceState);
    // Disconnected by a moderator (or from another session of mine): this session's voice ends too.
    const mine = d.user_id === state.me?.id && d.session_id === state.sessionId;
    const s = current;
    if (mine && s && s.guildId === d.guild_id && d.channel_id !== s.channelId) {
      current = null;
      setStreamChannel(null);
      teardown(s);
      changed();
    }
  } else if (t === 'VOICE_SERVER_UPDATE' && current && current.guildId === d.guild_id) {
    if (!d.endpoint) {
      // No voice server to go to (the server runs without one): say so instead of waiting for ever. A connected
      // session keeps its connection (Discord sends a null endpoint while it moves a voice server; a new one follows).
      if (!current.socket && current.status !== 'unavailable') {
        current.status = 'unavailable';
        changed();
      }
      return;
    }
    // Every op 4 (mute, camera) is answered with a VOICE_SERVER_UPDATE here; the connection is kept unless the voice
    // server changed (a failover or a move to another node).
    if (current.socket && current.endpoint === d.endpoint) return;
    connect(current, d.endpoint, d.token);
  } else if (t.startsWith('STREAM_')) streamDispatch(t, d);
}

/** Opens the voice gateway (again, after a new VOICE_SERVER_UPDATE: a voice server moved). */
function connect(s: Session, endpoint: string, token: string): void {
  s.endpoint = endpoint;
  s.socket?.close();
  s.peer?.close();
  s.peer = null;
  clearMedia();
  s.status = 'connecting';
  changed();
  const identity = {
    endpoint,
    token,
    serverId: s.guildId,
    userId: state.me?.id ?? '',
    sessionId: state.sessionId ?? '',
  };
  const video = { video: true, streams: [{ type: 'video', rid: '100', quality: 100 }] };
  const socket = new VoiceGatewaySocket(
    identity,
    video,
    (op, d) => {
      if (current === s && s.socket === socket) onVoiceMessage(s, op, d).catch(showError);
    },
    (error) => {
      if (current !== s || s.socket !== socket || !error) return;
      showError(error);
      leaveVoice();
    },
  );
  s.socket = socket;
}

// biome-ignore lint/suspicious/noExplicitAny: voice payloads are read field by field, as the server sends them.
async function onVoiceMessage(s: Session, op: number, d: any): Promise<void> {
  switch (op) {
    case VoiceOp.Ready: {
      s.ready = d as Ready;
      const peer = new VoicePeer({ audio: s.mic.getAudioTracks()[0] ?? null, slots: SLOTS, onTrack: addSlotTrack });
      s.peer = peer;
      // A new connection (the voice server moved) carries on with the video that was on.
      const video = s.videoStream?.getVideoTracks()[0];
      if (video) await peer.setVideo(video);
      const sdp = await peer.offer();
      s.socket?.send(VoiceOp.SelectProtocol, {
        // `sdp` alone (the server takes either `sdp` or `data`): the offer twice would double a ~14 KB frame.
        protocol: 'webrtc',
        sdp,
        codecs: codecsOf(sdp),
        rtc_connection_id: crypto.randomUUID(),
      });
      break;
    }
    case VoiceOp.SessionDescription:
      if (!s.peer || typeof d.sdp !== 'string') break;
      await s.peer.accept(d.sdp);
      for (const [ssrc, userId] of s.early) bind(s, ssrc, userId);
      s.early.clear();
      s.status = 'connected';
      s.meter?.stop();
      s.meter = watchLevel(s.audio, s.mic, (on) => speak(s, on));
      sendVideoState(s);
      changed();
      break;
    case VoiceOp.Speaking:
      if (typeof d.user_id === 'string') setSpeaking(d.user_id, (Number(d.speaking) & 1) !== 0);
      break;
    case VoiceOp.Video:
      if (typeof d.user_id === 'string' && typeof d.audio_ssrc === 'number') {
        if (s.peer?.slotByAudioSsrc.size) bind(s, d.audio_ssrc, d.user_id);
        else s.early.set(d.audio_ssrc, d.user_id);
      }
      break;
    case VoiceOp.ClientDisconnect:
      if (typeof d.user_id === 'string') {
        dropUser(d.user_id);
        setSpeaking(d.user_id, false);
      }
      break;
  }
}

/** An op 12 naming one of my receive slots' audio SSRC binds that slot to its user (others only carry state). */
function bind(s: Session, audioSsrc: number, userId: string): void {
  const slot = s.peer?.slotByAudioSsrc.get(audioSsrc);
  if (slot === undefined) return;
  dropUser(userId);
  bindSlot(slot, userId);
}

/** Voice op 5: the others' speaking indicators (and mine, drawn from the same level). */
function speak(s: Session, on: boolean): void {
  const speaking = on && !s.selfMute && !s.selfDeaf;
  if (state.me) setSpeaking(state.me.id, speaking);
  s.socket?.send(VoiceOp.Speaking, { speaking: speaking ? 1 : 0, delay: 0, ssrc: s.ready?.ssrc ?? 0 });
}

/** Voice op 12: whether my video is on, on the stream the server gave me in Ready. */
function sendVideoState(s: Session): void {
  const settings = s.videoStream?.getVideoTracks()[0]?.getSettings();
  s.socket?.send(VoiceOp.Video, videoPayload(s.ready, s.video, settings));
}

export function toggleMute(): void {
  const s = current;
  if (!s) return;
  // Unmuting while deafened undeafens too, as Discord does.
  if (s.selfMute || s.selfDeaf) Object.assign(s, { selfMute: false, selfDeaf: false });
  else s.selfMute = true;
  applyLocal(s);
}

export function toggleDeafen(): void {
  const s = current;
  if (!s) return;
  s.selfDeaf = !s.selfDeaf;
  if (!s.selfDeaf) s.selfMute = false;
  applyLocal(s);
}

function applyLocal(s: Session): void {
  const muted = s.selfMute || s.selfDeaf;
  for (const track of s.mic.getAudioTracks()) track.enabled = !muted;
  setDeafened(s.selfDeaf);
  // The level meter only reports changes: unmuting while talking must light the indicator at once.
  speak(s, !muted && (s.meter?.speaking ?? false));
  sendVoiceState(s, s.guildId);
  changed();
}

/** The camera on, or off. (The screen is shared as a stream of its own: toggleLive in streamSession.ts.) */
export async function toggleCamera(): Promise<void> {
  const s = current;
  if (!s?.peer) return;
  const stream = s.video === 'off' ? await navigator.mediaDevices.getUserMedia({ video: true }) : null;
  if (current !== s) {
    for (const track of stream?.getTracks() ?? []) track.stop();
    return;
  }
  for (const track of s.videoStream?.getTracks() ?? []) track.stop();
  const track = stream?.getVideoTracks()[0] ?? null;
  // A camera unplugged (or stopped by the browser) turns the camera off here too.
  track?.addEventListener('ended', () => {
    if (current === s && s.videoStream === stream) void toggleCamera();
  });
  await s.peer.setVideo(track);
  s.videoStream = stream;
  s.video = stream ? 'camera' : 'off';
  showOwnVideo('self-camera', stream);
  sendVideoState(s);
  sendVoiceState(s, s.guildId);
  changed();
}
