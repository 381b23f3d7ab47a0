import { bucketOfId, DISCORD_EPOCH, firstIdOfBucket } from '../ids.js';
import type { NewMessage, StoredMessage } from '../MessageStore.js';

/** Unix ms of 2024-01-01, the "present" of generated fixtures. */
export const FIXTURE_NOW = Date.UTC(2024, 0, 1);

let channelCounter = 0n;

/**
 * A fresh channel id per test, so stores that keep data between runs (a shared PostgreSQL database) never see a previous
 * run's rows: wall-clock time in the timestamp bits, a random worker and a counter in the low bits.
 */
export function freshChannelId(): string {
  const time = BigInt(Date.now() - DISCORD_EPOCH) << 22n;
  const random = BigInt(Math.floor(Math.random() * 1024)) << 12n;
  channelCounter = (channelCounter + 1n) & 0xfffn;
  return (time | random | channelCounter).toString();
}

/** Id whose timestamp is `offsetMs` after the epoch, with `seq` in the low 22 bits. */
export function idAt(offsetMs: number, seq = 0): string {
  return ((BigInt(offsetMs) << 22n) | BigInt(seq)).toString();
}

/** A bucket number near FIXTURE_NOW for the store's bucket size. */
export function presentBucket(bucketMs: number): number {
  return bucketOfId(BigInt(FIXTURE_NOW - DISCORD_EPOCH) << 22n, bucketMs);
}

/** The `k`-th id inside bucket `b` (k < 2^22 stays within the first millisecond's sequence space). */
export function idInBucket(bucket: number, bucketMs: number, k: number): string {
  return (firstIdOfBucket(bucket, bucketMs) + BigInt(k)).toString();
}

export function message(channelId: string, id: string, content = `message ${id}`): NewMessage {
  return {
    id,
    channelId,
    guildId: '81384788765712384',
    authorId: '80351110224678912',
    content,
    type: 0,
    flags: 0,
    extra: null,
  };
}

export function idsOf(rows: StoredMessage[]): string[] {
  return rows.map((r) => r.id);
}

/** Sorts decimal id strings descending (newest first) without losing precision. */
export function newestFirst(ids: string[]): string[] {
  return [...ids].sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? 1 : x > y ? -1 : 0;
  });
}

/** Deterministic shuffle (xorshift), so a failing order can be reproduced. */
export function shuffled<T>(items: T[], seed = 0x9e3779b9): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
