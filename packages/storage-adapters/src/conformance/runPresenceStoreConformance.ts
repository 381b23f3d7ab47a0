import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceStore } from '../presence/PresenceStore.js';

let guildCounter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(guildCounter++).toString(36)}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PresenceConformanceCleanup {
  close?: () => Promise<void> | void;
}

/** The cases every PresenceStore passes. */
export function runPresenceStoreConformance(
  name: string,
  factory: () => (PresenceStore & PresenceConformanceCleanup) | Promise<PresenceStore & PresenceConformanceCleanup>,
): void {
  describe(`PresenceStore conformance: ${name}`, () => {
    let store: PresenceStore & PresenceConformanceCleanup;
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
