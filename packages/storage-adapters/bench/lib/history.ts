import type { NewMessage } from '../../src/index.js';

export const DAY = 86_400_000;
/** "Now" of the generated histories, as an offset from Discord's epoch: fixed, so runs are comparable. */
export const NOW_OFFSET = Date.UTC(2024, 5, 1) - 1_420_070_400_000;

const GUILD = '81384788765712384';
const AUTHOR = 80351110224678912n;

/** The sparse part: 15 messages per 10-day bucket over the two years before NOW_OFFSET − 20 days. */
const SPARSE_BUCKETS = 71;
const SPARSE_PER_BUCKET = 15;

/** A channel's history: 15 messages per 10-day bucket for about two years, then `dense.count` recent messages. */
export function channelHistory(
  channelId: string,
  texts: readonly string[],
  dense: { count: number; stepMs: number },
): NewMessage[] {
  const out: NewMessage[] = [];
  let seq = 0;
  const add = (offsetMs: number) => {
    const id = ((BigInt(Math.floor(offsetMs)) << 22n) | BigInt(seq++ & 0xfff)).toString();
    out.push({
      id,
      channelId,
      guildId: GUILD,
      authorId: String(AUTHOR + BigInt(seq % 50)),
      content: texts[seq % texts.length]!,
      type: 0,
      flags: 0,
      extra: seq % 10 === 0 ? { embeds: [], mentions: [String(AUTHOR)], nonce: String(seq) } : null,
    });
  };
  const sparseStart = NOW_OFFSET - 730 * DAY;
  for (let b = 0; b < SPARSE_BUCKETS; b++)
    for (let k = 0; k < SPARSE_PER_BUCKET; k++) add(sparseStart + b * 10 * DAY + k * 3_600_000);
  for (let k = 0; k < dense.count; k++) add(NOW_OFFSET - 20 * DAY + k * dense.stepMs);
  return out;
}

/** The `before` cursor for deep history: in the sparse region, about one year back (a 50-message page spans 4 buckets). */
export function deepCursor(messages: readonly NewMessage[]): string {
  return messages[Math.floor(SPARSE_BUCKETS * SPARSE_PER_BUCKET * 0.5)]!.id;
}

/** New messages for insert runs: fresh ids well after the generated history. */
export function freshMessages(texts: readonly string[]): (channelId: string) => NewMessage {
  let seq = 0;
  return (channelId) => {
    seq++;
    const id = ((BigInt(NOW_OFFSET + DAY + seq * 7) << 22n) | BigInt(seq & 0xfff)).toString();
    return {
      id,
      channelId,
      guildId: GUILD,
      authorId: String(AUTHOR),
      content: texts[seq % texts.length]!,
      type: 0,
      flags: 0,
      extra: null,
    };
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
