import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceStore, SessionRecord, SessionStore } from '../sessions.js';

let sessionCounter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sessionCounter++).toString(36)}`;

function record(sessionId: string, seq = 0): SessionRecord {
  return {
    sessionId,
    userId: '80351110224678912',
    shard: [0, 2],
    intents: 513,
    seq,
    resumeUrl: 'wss://gateway.example/',
    data: { guilds: ['1', '2'], nested: { ok: true } },
    updatedAt: 1_700_000_000_000,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SessionConformanceCleanup {
  close?: () => Promise<void> | void;
}

/** The cases every SessionStore passes (resume-across-nodes semantics). */
export function runSessionStoreConformance(
  name: string,
  factory: () => (SessionStore & SessionConformanceCleanup) | Promise<SessionStore & SessionConformanceCleanup>,
): void {
  describe(`SessionStore conformance: ${name}`, () => {
    let store: SessionStore & SessionConformanceCleanup;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close?.();
    });

    it('saves, reads back, replaces and deletes a record', async () => {
      const id = unique('s');
      expect(await store.get(id)).toBeNull();
      await store.save(record(id, 3), 60_000);
      expect(await store.get(id)).toEqual(record(id, 3));
      await store.save({ ...record(id, 9), shard: null }, 60_000);
      expect(await store.get(id)).toEqual({ ...record(id, 9), shard: null });
      await store.delete(id);
      expect(await store.get(id)).toBeNull();
    });

    it('replays frames after a sequence, in order, strings and bytes alike', async () => {
      const id = unique('s');
      await store.save(record(id), 60_000);
      for (let seq = 1; seq <= 5; seq++) {
        const frame = seq % 2 ? `{"s":${seq}}` : new Uint8Array([seq, 0, 255]);
        await store.appendReplay(id, seq, frame, 100, 60_000);
      }
      const all = await store.replayFrom(id, 0);
      expect(all?.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all?.[0]?.frame).toBe('{"s":1}');
      expect(Array.from(all?.[1]?.frame as Uint8Array)).toEqual([2, 0, 255]);
      expect((await store.replayFrom(id, 3))?.map((f) => f.seq)).toEqual([4, 5]);
      expect(await store.replayFrom(id, 5)).toEqual([]);
    });

    it('keeps only maxEntries and reports a gap as null', async () => {
      const id = unique('s');
      await store.save(record(id), 60_000);
      for (let seq = 1; seq <= 10; seq++) await store.appendReplay(id, seq, `f${seq}`, 4, 60_000);
      expect((await store.replayFrom(id, 6))?.map((f) => f.seq)).toEqual([7, 8, 9, 10]);
      expect((await store.replayFrom(id, 8))?.map((f) => f.frame)).toEqual(['f9', 'f10']);
      expect(await store.replayFrom(id, 5)).toBeNull();
      expect(await store.replayFrom(id, 0)).toBeNull();
    });

    it('returns null for unknown sessions and after delete', async () => {
      const id = unique('s');
      expect(await store.replayFrom(id, 0)).toBeNull();
      await store.save(record(id), 60_000);
      await store.appendReplay(id, 1, 'x', 10, 60_000);
      await store.delete(id);
      expect(await store.replayFrom(id, 0)).toBeNull();
    });

    it('expires records after their ttl', async () => {
      const id = unique('s');
      await store.save(record(id), 100);
      await store.appendReplay(id, 1, 'x', 10, 100);
      await sleep(400);
      expect(await store.get(id)).toBeNull();
      expect(await store.replayFrom(id, 0)).toBeNull();
    });
  });
}

/** The cases every PresenceStore passes. */
export function runPresenceStoreConformance(
  name: string,
  factory: () => (PresenceStore & SessionConformanceCleanup) | Promise<PresenceStore & SessionConformanceCleanup>,
): void {
  describe(`PresenceStore conformance: ${name}`, () => {
    let store: PresenceStore & SessionConformanceCleanup;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close?.();
    });

    it('sets, gets, lists per guild and removes', async () => {
      const g1 = unique('g');
      const g2 = unique('g');
      await store.set(g1, '1', { status: 'online', activities: [{ name: 'Ǵame 🎮' }] });
      await store.set(g1, '2', { status: 'idle' });
      await store.set(g2, '1', { status: 'dnd' });
      expect(await store.get(g1, '1')).toEqual({ status: 'online', activities: [{ name: 'Ǵame 🎮' }] });
      const listed = (await store.list(g1)).sort((a, b) => a.userId.localeCompare(b.userId));
      expect(listed).toEqual([
        { userId: '1', presence: { status: 'online', activities: [{ name: 'Ǵame 🎮' }] } },
        { userId: '2', presence: { status: 'idle' } },
      ]);
      await store.set(g1, '2', { status: 'online' });
      expect(await store.get(g1, '2')).toEqual({ status: 'online' });
      await store.remove(g1, '1');
      expect(await store.get(g1, '1')).toBeNull();
      expect((await store.list(g1)).map((p) => p.userId)).toEqual(['2']);
      expect(await store.get(g2, '1')).toEqual({ status: 'dnd' });
      expect(await store.list(unique('g'))).toEqual([]);
    });

    it('expires entries set with a ttl', async () => {
      const g = unique('g');
      await store.set(g, '1', { status: 'online' }, 100);
      await store.set(g, '2', { status: 'online' });
      await sleep(400);
      expect(await store.get(g, '1')).toBeNull();
      expect((await store.list(g)).map((p) => p.userId)).toEqual(['2']);
    });
  });
}
