import { describe, expect, it } from 'vitest';
import { runPresenceStoreConformance, runSessionStoreConformance } from '../src/conformance/index.js';
import { createMemoryPresenceStore, createMemorySessionStore } from '../src/index.js';

runSessionStoreConformance('memory', () => createMemorySessionStore());
runPresenceStoreConformance('memory', () => createMemoryPresenceStore());

describe('memory session store with an injected clock', () => {
  it('expires without waiting', async () => {
    let t = 1000;
    const store = createMemorySessionStore({ now: () => t });
    await store.save({ sessionId: 'a', userId: '1', shard: null, intents: 0, seq: 1, updatedAt: 0 }, 50);
    await store.appendReplay('a', 2, 'x', 5, 50);
    t += 49;
    expect(await store.replayFrom('a', 1)).toEqual([{ seq: 2, frame: 'x' }]);
    t += 1;
    expect(await store.get('a')).toBeNull();
    expect(await store.replayFrom('a', 1)).toBeNull();
  });

  it('copies byte frames so later mutation does not leak in', async () => {
    const store = createMemorySessionStore();
    await store.save({ sessionId: 'b', userId: '1', shard: null, intents: 0, seq: 0, updatedAt: 0 }, 1000);
    const frame = new Uint8Array([1, 2, 3]);
    await store.appendReplay('b', 1, frame, 5, 1000);
    frame[0] = 9;
    expect(Array.from((await store.replayFrom('b', 0))![0]!.frame as Uint8Array)).toEqual([1, 2, 3]);
  });
});
