import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { VoiceClientState } from '../src/client/VoiceClientState.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

function join(on: VoiceServer, userId: string): VoiceClient {
  const { token, endpoint } = on.allocate({ guildId: 'g', channelId: 'st', userId, sessionId: userId });
  return new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
}

/** Every state the client enters, checking that each change starts from the state the previous one ended in. */
function record(client: VoiceClient): VoiceClientState[] {
  const seen: VoiceClientState[] = [];
  client.on('stateChange', (oldState, newState) => {
    expect(oldState).toBe(seen.at(-1) ?? oldState);
    expect(client.state).toBe(newState);
    seen.push(newState);
  });
  return seen;
}

const codes = (states: VoiceClientState[]) => states.map((s) => s.code);

/** Resolves when the UDP socket of a state is closed. */
function udpClosed(state: VoiceClientState): Promise<unknown> {
  if (!('udp' in state)) throw new Error(`no UDP socket in ${state.code}`);
  return once(state.udp.socket, 'close');
}

describe('VoiceClient states', () => {
  it('goes through every handshake phase to ready, and disconnect closes what ready held', async () => {
    const client = join(server, 'st-a');
    expect(client.state.code).toBe('closed');
    const seen = record(client);
    await client.connect();
    expect(codes(seen)).toEqual(['opening-ws', 'identifying', 'udp-handshaking', 'selecting-protocol', 'ready']);
    const ready = client.state;
    if (ready.code !== 'ready') throw new Error(ready.code);
    // The sockets opened along the way are the ones ready holds: handed on, not reopened.
    expect(seen[1]!.code === 'identifying' && seen[1]!.ws).toBe(ready.ws);
    expect(seen[2]!.code === 'udp-handshaking' && seen[2]!.udp).toBe(ready.udp);
    expect(ready.ssrc).toBe(client.ssrc);
    expect(ready.media.mode).toBe(client.mode);

    const udpGone = udpClosed(ready);
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    const raw = client.subscribe('someone');
    const rawEnded = once(raw, 'end');
    raw.resume();
    client.disconnect();
    expect(codes(seen).at(-1)).toBe('closed');
    await udpGone;
    expect(await closed).toBe(1000);
    await rawEnded;
    expect(ready.ws.closeCode).toBe(1000);
    expect(() => client.sendOpus(Buffer.from([0xfc]))).toThrow(/not connected/);
    await waitFor(() => server.members('g', 'st').length === 0, 3000, 'session ended on the server');
  });

  it('resumes on a new gateway socket keeping UDP and keys, then closes for good on a code that ends the session', async () => {
    const local = await createVoiceServer({ heartbeatInterval: 5_000 });
    const client = join(local, 'st-b');
    await client.connect();
    const ready = client.state;
    if (ready.code !== 'ready') throw new Error(ready.code);
    const seen = record(client);
    const resumed = new Promise<void>((resolve) => client.once('resumed', resolve));
    // A network failure (1006, no close frame): resumable.
    ready.ws.terminate();
    await resumed;
    expect(codes(seen)).toEqual(['resuming', 'ready']);
    const [resuming, again] = seen;
    if (resuming?.code !== 'resuming' || again?.code !== 'ready') throw new Error('unexpected states');
    expect(resuming.attempts).toBe(1);
    // Media never stopped: same UDP socket and key; only the gateway socket is new.
    expect(resuming.udp).toBe(ready.udp);
    expect(resuming.media).toBe(ready.media);
    expect(again.udp).toBe(ready.udp);
    expect(again.media).toBe(ready.media);
    expect(again.ws).toBe(resuming.ws);
    expect(again.ws).not.toBe(ready.ws);
    expect(ready.ws.closeCode).toBe(1006);

    // 1001 (server going away) is not resumable: closed, UDP closed, `close` with the code.
    const udpGone = udpClosed(again);
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    await local.close();
    expect(await closed).toBe(1001);
    await udpGone;
    expect(codes(seen)).toEqual(['resuming', 'ready', 'closed']);
  });

  it('a refused Identify ends in closed and rejects connect()', async () => {
    const { endpoint } = server.allocate({ guildId: 'g', channelId: 'st', userId: 'st-c', sessionId: 'st-c' });
    const client = new VoiceClient({ endpoint, token: 'forged', sessionId: 'st-c', userId: 'st-c', guildId: 'g' });
    const seen = record(client);
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    await expect(client.connect()).rejects.toMatchObject({ code: 'VOICE_CLOSED' });
    expect(codes(seen)).toEqual(['opening-ws', 'identifying', 'closed']);
    expect(await closed).toBeGreaterThanOrEqual(4000);
  });

  it('updateServer leaves through closed, without a close event, and hands over to the new server', async () => {
    const other = await createVoiceServer({ heartbeatInterval: 5_000 });
    try {
      const client = join(server, 'st-d');
      await client.connect();
      const ready = client.state;
      if (ready.code !== 'ready') throw new Error(ready.code);
      const seen = record(client);
      let closeEvents = 0;
      client.on('close', () => closeEvents++);
      const udpGone = udpClosed(ready);
      const moved = other.allocate({ guildId: 'g', channelId: 'st', userId: 'st-d', sessionId: 'st-d' });
      await client.updateServer(moved);
      expect(codes(seen)).toEqual([
        'closed',
        'opening-ws',
        'identifying',
        'udp-handshaking',
        'selecting-protocol',
        'ready',
      ]);
      await udpGone;
      await waitFor(() => ready.ws.closeCode !== undefined, 3000, 'old socket closed');
      expect(ready.ws.closeCode).toBe(1000);
      expect(other.members('g', 'st').map((m) => m.userId)).toEqual(['st-d']);
      await waitFor(() => server.members('g', 'st').length === 0, 3000, 'left the first server');

      // endpoint null: closed, and nothing else until the next update.
      const now = client.state;
      const udpGoneToo = udpClosed(now);
      await client.updateServer({ endpoint: null, token: '' });
      expect(codes(seen).slice(6)).toEqual(['closed']);
      await udpGoneToo;
      expect(closeEvents).toBe(0);
    } finally {
      await other.close();
    }
  });
});
