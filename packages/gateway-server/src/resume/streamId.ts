import { ResumeError } from './ResumeError.js';

/** Redis stream entry id, `<ms>-<seq>`: ordered per topic, and across topics by the Redis clock. */
export type StreamId = string;

const STREAM_ID = /^(\d{1,15})-(\d{1,15})$/;

export function isStreamId(value: unknown): value is StreamId {
  return typeof value === 'string' && STREAM_ID.test(value);
}

/** Parses an id into its two parts; throws `ResumeError` (INVALID_STREAM_ID) for anything else. */
export function parseStreamId(value: unknown): [number, number] {
  const match = typeof value === 'string' ? STREAM_ID.exec(value) : null;
  if (!match) throw new ResumeError('INVALID_STREAM_ID', `invalid stream id: ${String(value).slice(0, 40)}`);
  return [Number(match[1]), Number(match[2])];
}

/** Negative when `a` comes before `b`; both must be valid ids. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  const [am, as] = parseStreamId(a);
  const [bm, bs] = parseStreamId(b);
  return am !== bm ? am - bm : as - bs;
}

export function maxStreamId(a: StreamId | undefined, b: StreamId): StreamId {
  return a === undefined || compareStreamIds(a, b) < 0 ? b : a;
}
