// The session registry remembers the guild a session last joined (src/session/SessionRegistry.ts): the index by guild
// must stay what the map alone gave, when that guild empties and fills again and when joins alternate between guilds.
import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../src/session/LiveSession.js';
import { Session } from '../src/session/Session.js';
import { SessionRegistry } from '../src/session/SessionRegistry.js';

function session(id: string, userId: string): LiveSession {
  return new Session({
    sessionId: id,
    auth: { user: { id: userId, username: userId } },
    intents: 0,
    shard: [0, 1],
    largeThreshold: 50,
    replayBufferSize: 16,
  }) as LiveSession;
}

describe('SessionRegistry by guild', () => {
  it('indexes a guild emptied and joined again, and joins that alternate between guilds', () => {
    const topics: string[] = [];
    const registry = new SessionRegistry(
      { subscribe: (t) => topics.push(`+${t}`), unsubscribe: (t) => topics.push(`-${t}`) },
      undefined,
    );
    const a = session('a', '1');
    const b = session('b', '2');
    const c = session('c', '3');
    for (const s of [a, b, c]) registry.add(s);
    registry.joinGuild(a, 'g');
    registry.joinGuild(b, 'g');
    expect([...(registry.inGuild('g') ?? [])]).toEqual([a, b]);
    registry.leaveGuild(a, 'g');
    registry.leaveGuild(b, 'g');
    expect(registry.inGuild('g')).toBeUndefined();
    // The guild joined last emptied: a join now makes its set again (and subscribes again).
    registry.joinGuild(c, 'g');
    expect([...(registry.inGuild('g') ?? [])]).toEqual([c]);
    expect(registry.listening('guild:g')).toBe(registry.inGuild('g'));
    registry.joinGuild(a, 'h');
    registry.joinGuild(b, 'g');
    registry.joinGuild(c, 'h');
    expect([...(registry.inGuild('g') ?? [])]).toEqual([c, b]);
    expect([...(registry.inGuild('h') ?? [])]).toEqual([a, c]);
    expect(registry.remove(c)).toEqual(['g', 'h']);
    expect([...(registry.inGuild('h') ?? [])]).toEqual([a]);
    expect(topics.filter((t) => t.includes('guild:'))).toEqual(['+guild:g', '-guild:g', '+guild:g', '+guild:h']);
  });
});
