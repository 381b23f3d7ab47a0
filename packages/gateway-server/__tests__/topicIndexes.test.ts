import { describe, expect, it } from 'vitest';
import { type BrokerMessage, InMemoryBroker } from '../src/Broker.js';
import type { LiveSession } from '../src/session/LiveSession.js';
import { Session } from '../src/session/Session.js';
import { SessionRegistry } from '../src/session/SessionRegistry.js';

const message = (n: number): BrokerMessage => ({
  event: 'X',
  data: { n },
  intent: null,
  target: { type: 'guild', guildId: '1' },
  createdAt: 0,
});

describe('InMemoryBroker topics (one listener kept bare, a Set from the second)', () => {
  it('delivers to exactly the listeners subscribed, through every add and remove', () => {
    const broker = new InMemoryBroker();
    const got: string[] = [];
    const a = (m: BrokerMessage) => got.push(`a${(m.data as { n: number }).n}`);
    const b = (m: BrokerMessage) => got.push(`b${(m.data as { n: number }).n}`);
    broker.publish('t', message(0));
    broker.subscribe('t', a);
    broker.subscribe('t', a); // the same listener twice is still one
    broker.publish('t', message(1));
    broker.subscribe('t', b);
    broker.publish('t', message(2));
    broker.unsubscribe('t', a);
    broker.publish('t', message(3));
    broker.unsubscribe('t', a); // not subscribed any more: nothing changes
    broker.publish('t', message(4));
    broker.subscribe('t', a);
    broker.publish('t', message(5));
    broker.unsubscribe('t', b);
    broker.unsubscribe('t', a);
    broker.publish('t', message(6));
    broker.publish('other', message(7));
    expect(got).toEqual(['a1', 'a2', 'b2', 'b3', 'b4', 'b5', 'a5']);
  });
});

describe('SessionRegistry by user (one session kept bare, a Set from the second)', () => {
  const session = (id: string, userId: string): LiveSession =>
    new Session({
      sessionId: id,
      auth: { user: { id: userId, username: `u${userId}` } },
      intents: 0,
      shard: [0, 1],
      largeThreshold: 50,
      replayBufferSize: 10,
    }) as LiveSession;

  it('subscribes a user topic with the first session and unsubscribes it with the last', () => {
    const topics: string[] = [];
    const registry = new SessionRegistry(
      { subscribe: (t) => topics.push(`+${t}`), unsubscribe: (t) => topics.push(`-${t}`) },
      undefined,
    );
    const ids = (userId: string) => [...(registry.ofUser(userId) ?? [])].map((s) => s.sessionId).sort();
    const one = session('s1', '7');
    const two = session('s2', '7');
    const three = session('s3', '7');
    registry.add(one);
    expect(ids('7')).toEqual(['s1']);
    registry.add(two);
    registry.add(three);
    expect(ids('7')).toEqual(['s1', 's2', 's3']);
    expect([...(registry.listening('user:7') ?? [])]).toHaveLength(3);
    registry.remove(two);
    registry.remove(one);
    expect(ids('7')).toEqual(['s3']);
    registry.remove(one); // already gone
    expect(ids('7')).toEqual(['s3']);
    registry.remove(three);
    expect(registry.ofUser('7')).toBeUndefined();
    expect(topics.filter((t) => t.endsWith('user:7'))).toEqual(['+user:7', '-user:7']);
  });
});
