// Go Live, as Discord's web client does it (docs/protocol.md "Go Live (screen share)"): sharing my screen is a stream —
// op 18 Stream Create on the main gateway, answered with STREAM_CREATE (the stream's room, `rtc_server_id`) and
// STREAM_SERVER_UPDATE (where it is and a token) — and the screen goes over a SECOND voice connection and peer
// connection, to the stream's room, while the voice channel's connection keeps my microphone and camera. Watching
// someone's stream is op 20 Stream Watch, answered the same way, and a receive-only connection to that room. STREAM_DELETE
// (the streamer stopped, left, or I was refused) closes the connection; op 19 is how I stop either.
import { VoiceOpcode as VoiceOp } from '@concord/protocol';
import {
  codecsOf,
  type VoiceReady as Ready,
  VoiceGatewaySocket,
  VoicePeer,
  videoPayload,
} from '@concord/voice/browser';
import { showError } from './dom.js';
import { state } from './state.js';
import { showOwnVideo, showStream } from './voiceGrid.js';

/** The server refused my stream or my watching it (STREAM_DELETE with a reason other than the stream ending). */
export class StreamRefusedError extends Error {
  readonly code = 'STREAM_REFUSED';
  constructor(readonly reason: string) {
    super(`the stream was refused (${reason})`);
  }
}

/** STREAM_DELETE reasons that are no refusal: the stream (or my watching) simply ended. */
const ENDED = new Set(['user_requested', 'stream_ended']);

/** One stream I am in: mine (`owner`, sending my screen) or someone's I watch. */
interface Stream {
  readonly key: string;
  readonly role: 'owner' | 'viewer';
  /** The streamer. */
  readonly userId: string;
  /** STREAM_CREATE's room id: Identify's `server_id` on the stream connection. */
  rtcServerId: string | null;
  /** How many watch (STREAM_CREATE / STREAM_UPDATE `viewer_ids`). */
  viewers: number;
  socket: VoiceGatewaySocket | null;
  peer: VoicePeer | null;
  ready: Ready | null;
  /** My shared screen (getDisplayMedia), for my own stream. */
  readonly display: MediaStream | null;
}

/** The voice channel I am in, as the voice session tells it (streams belong to it). */
interface Where {
  guildId: string;
  channelId: string;
}

const streams = new Map<string, Stream>();
let sendMain: (payload: { op: number; d: unknown }) => void = () => undefined;
let where: Where | null = null;
const listeners = new Set<() => void>();

/** Main gateway opcodes of Go Live. */
const StreamOp = { Create: 18, Delete: 19, Watch: 20 } as const;

/** How ops 18–20 reach the main gateway (set once by the voice session). */
export function setStreamSender(send: (payload: { op: number; d: unknown }) => void): void {
  sendMain = send;
}

/** Calls `listener` whenever I start or stop streaming or watching. */
export function onStreamChange(listener: () => void): void {
  listeners.add(listener);
}

function changed(): void {
  for (const listener of listeners) listener();
}

/** Discord's stream key of a guild voice channel's streamer. */
export function streamKey(guildId: string, channelId: string, userId: string): string {
  return `guild:${guildId}:${channelId}:${userId}`;
}

/** Whether I stream in the voice channel I am in. */
export function isLive(): boolean {
  return [...streams.values()].some((s) => s.role === 'owner');
}

/** How many watch my stream (0 when I do not stream). */
export function liveViewers(): number {
  return [...streams.values()].find((s) => s.role === 'owner')?.viewers ?? 0;
}

/** Whether I watch `userId`'s stream in `channelId`. */
export function isWatching(guildId: string, channelId: string, userId: string): boolean {
  return streams.get(streamKey(guildId, channelId, userId))?.role === 'viewer';
}

/** Whether I could watch a stream in `channelId`: Discord only lets members connected to its channel watch. */
export function canWatch(channelId: string): boolean {
  return where?.channelId === channelId;
}

/** The voice channel I am in changed (null: I left): streams of another channel end here at once. */
export function setStreamChannel(next: Where | null): void {
  where = next;
  for (const stream of [...streams.values()]) {
    if (!next || !stream.key.startsWith(`guild:${next.guildId}:${next.channelId}:`)) {
      // The server ends them too (leaving the channel ends a stream and a watch); op 19 says it at once.
      sendMain({ op: StreamOp.Delete, d: { stream_key: stream.key } });
      close(stream);
    }
  }
}

/** The share button: goes live with a screen (the browser asks which), or ends my stream. */
export async function toggleLive(): Promise<void> {
  const mine = [...streams.values()].find((s) => s.role === 'owner');
  if (mine) {
    stop(mine);
    return;
  }
  const at = where;
  const me = state.me?.id;
  if (!at || !me) return;
  const display = await pickScreen();
  if (!display) return;
  const key = streamKey(at.guildId, at.channelId, me);
  if (where !== at || streams.has(key)) {
    for (const track of display.getTracks()) track.stop();
    return;
  }
  const screen = display.getVideoTracks()[0];
  // Text on a screen must stay legible: the encoder favours detail over motion.
  if (screen) screen.contentHint = 'detail';
  const stream: Stream = { key, role: 'owner', userId: me, display, ...fresh() };
  streams.set(key, stream);
  // The browser's own "Stop sharing" ends the track: the stream ends too.
  screen?.addEventListener('ended', () => {
    if (streams.get(key) === stream) stop(stream);
  });
  showOwnVideo('self-screen', display);
  sendMain({
    op: StreamOp.Create,
    d: { type: 'guild', guild_id: at.guildId, channel_id: at.channelId, preferred_region: null },
  });
  changed();
}

/**
 * Asks the browser for a screen (it shows its picker). Its sound comes along when the browser offers it (a tab or the
 * whole screen); a browser that cannot capture sound is asked for the screen alone. Cancelling the picker is no error.
 */
async function pickScreen(): Promise<MediaStream | null> {
  const ask = (audio: boolean) => navigator.mediaDevices.getDisplayMedia({ video: true, audio });
  try {
    return await ask(true).catch((e: unknown) => {
      if (e instanceof TypeError || (e instanceof DOMException && e.name === 'NotSupportedError')) return ask(false);
      throw e;
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotAllowedError') return null;
    throw e;
  }
}

/** The Watch button of a streamer in my channel: starts watching, or stops when I already do. */
export function toggleWatch(guildId: string, channelId: string, userId: string): void {
  const key = streamKey(guildId, channelId, userId);
  const watching = streams.get(key);
  if (watching) {
    stop(watching);
    return;
  }
  if (!canWatch(channelId) || userId === state.me?.id) return;
  streams.set(key, { key, role: 'viewer', userId, display: null, ...fresh() });
  sendMain({ op: StreamOp.Watch, d: { stream_key: key } });
  changed();
}

function fresh() {
  return { rtcServerId: null, viewers: 0, socket: null, peer: null, ready: null };
}

/** op 19: my stream ends, or I stop watching; the connection closes without waiting for STREAM_DELETE. */
function stop(stream: Stream): void {
  sendMain({ op: StreamOp.Delete, d: { stream_key: stream.key } });
  close(stream);
}

function close(stream: Stream): void {
  if (streams.get(stream.key) !== stream) return;
  streams.delete(stream.key);
  stream.socket?.close();
  stream.peer?.close();
  for (const track of stream.display?.getTracks() ?? []) track.stop();
  if (stream.role === 'owner') showOwnVideo('self-screen', null);
  else showStream(stream.userId, null);
  changed();
}

// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
export function streamDispatch(t: string, d: any): void {
  const stream = typeof d?.stream_key === 'string' ? streams.get(d.stream_key) : undefined;
  if (!stream) return;
  if ((t === 'STREAM_CREATE' || t === 'STREAM_UPDATE') && Array.isArray(d.viewer_ids)) {
    stream.viewers = d.viewer_ids.length;
    changed();
  }
  if (t === 'STREAM_CREATE' && typeof d.rtc_server_id === 'string') stream.rtcServerId = d.rtc_server_id;
  else if (t === 'STREAM_SERVER_UPDATE' && typeof d.endpoint === 'string' && typeof d.token === 'string') {
    if (stream.rtcServerId) connect(stream, d.endpoint, d.token);
  } else if (t === 'STREAM_DELETE') {
    close(stream);
    if (typeof d.reason === 'string' && !ENDED.has(d.reason)) showError(new StreamRefusedError(d.reason));
  }
}

/**
 * The stream connection: Identify with the stream's room as `server_id`, my main gateway session and the stream's
 * token; the streamer asks for one `screen` stream (the server answers it as `video` in Ready).
 */
function connect(stream: Stream, endpoint: string, token: string): void {
  stream.socket?.close();
  stream.peer?.close();
  stream.peer = null;
  if (stream.role === 'viewer') showStream(stream.userId, null);
  const identity = {
    endpoint,
    token,
    serverId: stream.rtcServerId ?? '',
    userId: state.me?.id ?? '',
    sessionId: state.sessionId ?? '',
  };
  const video = stream.role === 'owner' ? { video: true, streams: [{ type: 'screen', rid: '100', quality: 100 }] } : {};
  const socket = new VoiceGatewaySocket(
    identity,
    video,
    (op, d) => {
      if (streams.get(stream.key) === stream && stream.socket === socket) onMessage(stream, op, d).catch(showError);
    },
    (error) => {
      if (streams.get(stream.key) !== stream || stream.socket !== socket) return;
      // The room closes when the stream ends (4022) or the watch stops (4014); STREAM_DELETE says why, if it comes.
      if (error) stop(stream);
    },
  );
  stream.socket = socket;
}

// biome-ignore lint/suspicious/noExplicitAny: voice payloads are read field by field, as the server sends them.
async function onMessage(stream: Stream, op: number, d: any): Promise<void> {
  if (op === VoiceOp.Ready) {
    stream.ready = d as Ready;
    const mine = stream.role === 'owner';
    const peer = new VoicePeer({
      audio: stream.display?.getAudioTracks()[0] ?? null,
      // My own stream's room has nobody to receive from; watching, there is one sender: the streamer.
      slots: mine ? 0 : 1,
      onTrack: ({ track }) => {
        if (!mine) showStream(stream.userId, track);
      },
    });
    stream.peer = peer;
    if (mine) await peer.setVideo(stream.display?.getVideoTracks()[0] ?? null);
    const sdp = await peer.offer();
    stream.socket?.send(VoiceOp.SelectProtocol, {
      protocol: 'webrtc',
      sdp,
      codecs: codecsOf(sdp),
      rtc_connection_id: crypto.randomUUID(),
    });
  } else if (op === VoiceOp.SessionDescription && stream.peer && typeof d.sdp === 'string') {
    await stream.peer.accept(d.sdp);
    // The screen layer is on: op 12 with the stream Ready allocated, typed `screen`.
    const settings = stream.display?.getVideoTracks()[0]?.getSettings();
    if (stream.role === 'owner') stream.socket?.send(VoiceOp.Video, videoPayload(stream.ready, 'screen', settings));
  }
}
