import { EventEmitter } from 'eventemitter3';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { SpeechTranscriber, SpeechTranscript, SpeechVoice } from '../src/index.js';
import { gameApi, TextSafety } from '../src/index.js';
import { createGame, GAME_GUILD, SERVICE_USER } from './gameHarness.js';
import { manualClock } from './helpers.js';

/** A voice server stand-in: records what captions ask of it, emits transcripts the test writes. */
class FakeVoice extends EventEmitter<{ transcript: [SpeechTranscript] }> implements SpeechVoice {
  readonly tapped = new Map<string, SpeechTranscriber | null>();
  readonly spoken: { channelId: string; samples: number; userId: string | undefined }[] = [];
  transcribe(_guildId: string, channelId: string, transcriber: SpeechTranscriber | null): void {
    this.tapped.set(channelId, transcriber);
  }
  async speak(_guildId: string, channelId: string, pcm: Int16Array, options?: { userId?: string }): Promise<number> {
    this.spoken.push({ channelId, samples: pcm.length, userId: options?.userId });
    return Math.ceil(pcm.length / 1920);
  }
  say(channelId: string, userId: string, text: string, guildId = GAME_GUILD): void {
    this.emit('transcript', { guildId, channelId, userId, text, from: 0, to: 1000 });
  }
}

const transcriber: SpeechTranscriber = { transcribe: async () => 'unused' };
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('captions (speech to text into a text channel) and host.speak', () => {
  it('posts what a player said as the service user, "**name**: text", escaped, no mentions', async () => {
    const { community, host, players } = await createGame(2);
    const voice = new FakeVoice();
    const squad = await host.createChannel({ name: 'squad', type: 'voice' });
    const text = await host.createChannel({ name: 'squad-captions', type: 'text' });
    const captions = host.speech({ voice, transcriber });
    captions.link(squad.id, text.id);
    expect(voice.tapped.get(squad.id)).toBe(transcriber);
    voice.say(squad.id, players[0]!, 'go left');
    await settle();
    voice.say(squad.id, players[1]!, '@everyone *look* <@1>');
    voice.say(squad.id, SERVICE_USER, 'the narrator'); // already text: not captioned
    voice.say('elsewhere', players[0]!, 'not linked');
    voice.say(squad.id, players[0]!, 'other guild', '42');
    await settle();
    const posted = await community.messages.list(SERVICE_USER, text.id, { limit: 10 });
    expect(posted.map((m) => m.content).reverse()).toEqual([
      '**player0**: go left',
      '**player1**: \\@everyone \\*look\\* \\<\\@1\\>',
    ]);
    expect(posted.every((m) => m.author.id === SERVICE_USER && m.mention_everyone === false)).toBe(true);
    expect(captions.stats).toEqual({ posted: 2, dropped: 0, refused: 0 });
    captions.unlink(squad.id);
    expect(voice.tapped.get(squad.id)).toBeNull();
    await host.close();
    expect(voice.listenerCount('transcript')).toBe(0);
  });

  it('rate-limits per text channel, counts what the community refuses', async () => {
    const { host, players } = await createGame(1);
    const clock = manualClock();
    const voice = new FakeVoice();
    const squad = await host.createChannel({ name: 'squad', type: 'voice' });
    const text = await host.createChannel({ name: 'captions', type: 'text' });
    const captions = host.speech({ voice, transcriber, maxPerMinute: 2, now: clock.now });
    captions.link(squad.id, text.id);
    for (let i = 0; i < 4; i++) voice.say(squad.id, players[0]!, `line ${i}`);
    await settle();
    expect(captions.stats).toMatchObject({ posted: 2, dropped: 2 });
    clock.advance(60_000);
    voice.say(squad.id, players[0]!, 'a minute later');
    await settle();
    expect(captions.stats.posted).toBe(3);
    await host.closeChannel(text.id);
    voice.say(squad.id, players[0]!, 'into a deleted channel');
    await settle();
    expect(captions.stats.refused).toBe(1);
    await host.close();
  });

  it('goes through the message filter like any post', async () => {
    const safety = new TextSafety();
    const { community, host, players } = await createGame(1, { textSafety: safety });
    const voice = new FakeVoice();
    const squad = await host.createChannel({ name: 'squad', type: 'voice' });
    const text = await host.createChannel({ name: 'captions', type: 'text' });
    host.speech({ voice, transcriber }).link(squad.id, text.id);
    voice.say(squad.id, players[0]!, 'what the fuck');
    await settle();
    const [message] = await community.messages.list(SERVICE_USER, text.id, { limit: 1 });
    expect(message!.content).not.toContain('fuck');
    await host.close();
  });

  it('host.speak synthesizes and speaks as the service user; bounded text; needs speech() first', async () => {
    const { host } = await createGame(0);
    await expect(host.speak('1', 'hi')).rejects.toThrow('speech(');
    const voice = new FakeVoice();
    const texts: string[] = [];
    host.speech({
      voice,
      synthesizer: {
        synthesize: async (t) => {
          texts.push(t);
          return new Int16Array(96_000);
        },
      },
      maxSpeakChars: 10,
    });
    const lobby = await host.createChannel({ name: 'lobby', type: 'voice' });
    await host.speak(lobby.id, '  Match starts now, good luck  ');
    await host.speak(lobby.id, '   ');
    expect(texts).toEqual(['Match star']);
    expect(voice.spoken).toEqual([{ channelId: lobby.id, samples: 96_000, userId: SERVICE_USER }]);
    expect(() => host.speech({ voice }).link(lobby.id, '2')).toThrow('transcriber');
    await host.close();
  });
});

describe('captions and speech over the game API', () => {
  it('PUT /voice/channels/:id/captions links and unlinks; POST …/speak speaks; 501 without speech set up', async () => {
    const { host } = await createGame(0);
    const service = 'service-token-of-the-game-backend-0123456789';
    const app = Fastify();
    await app.register(gameApi, { host, serviceTokens: [service], prefix: '/games/v1' });
    const call = async (method: 'PUT' | 'POST', url: string, body: unknown) => {
      const res = await app.inject({
        method,
        url: `/games/v1${url}`,
        headers: { authorization: `Service ${service}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
    };
    const squad = await host.createChannel({ name: 'squad', type: 'voice' });
    const text = await host.createChannel({ name: 'captions', type: 'text' });
    const url = `/voice/channels/${squad.id}`;
    expect(await call('PUT', `${url}/captions`, { textChannelId: text.id })).toMatchObject({
      status: 501,
      body: { code: 'NO_SPEECH' },
    });
    const voice = new FakeVoice();
    host.speech({ voice, transcriber, synthesizer: { synthesize: async () => new Int16Array(1920) } });
    expect((await call('PUT', `${url}/captions`, { textChannelId: text.id })).status).toBe(204);
    expect(voice.tapped.get(squad.id)).toBe(transcriber);
    expect((await call('PUT', `${url}/captions`, { textChannelId: 'nope' })).status).toBe(400);
    expect((await call('POST', `${url}/speak`, { text: 'x'.repeat(501) })).status).toBe(400);
    expect((await call('POST', `${url}/speak`, { text: 'regroup' })).status).toBe(204);
    expect(voice.spoken).toHaveLength(1);
    voice.speak = async () => {
      throw new RangeError('too many speeches queued');
    };
    expect(await call('POST', `${url}/speak`, { text: 'regroup' })).toMatchObject({
      status: 429,
      body: { code: 'VOICE_BUSY' },
    });
    expect((await call('PUT', `${url}/captions`, { textChannelId: null })).status).toBe(204);
    expect(voice.tapped.get(squad.id)).toBeNull();
    await app.close();
    await host.close();
  });
});
