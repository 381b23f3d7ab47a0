import { ResumeError } from './ResumeError.js';
import { isStreamId } from './streamId.js';

/**
 * One dispatch of a session's journal. A message that came over the bus is stored as a reference to its place in the
 * topic history (a few dozen bytes, whatever the fan-out); one made for this session alone (READY, GUILD_CREATE,
 * member chunks…) is stored whole. `full` false = the message content was stripped for this session.
 */
export type JournalEntry =
  | { seq: number; full: boolean; kind: 'ref'; topic: string; id: string }
  | { seq: number; full: boolean; kind: 'inline'; event: string; data: unknown };

const REF = 0;
const INLINE = 1;

/** `[seq, full, 0, topic, id]` or `[seq, full, 1, event, data]`: JSON, since payloads are plain data already. */
export function encodeJournalEntry(entry: JournalEntry): string {
  return entry.kind === 'ref'
    ? JSON.stringify([entry.seq, entry.full ? 1 : 0, REF, entry.topic, entry.id])
    : JSON.stringify([entry.seq, entry.full ? 1 : 0, INLINE, entry.event, entry.data]);
}

function fail(why: string): never {
  throw new ResumeError('INVALID_RESUME_ENTRY', `invalid journal entry: ${why}`);
}

/** Decodes an entry; anything else (truncated, foreign, bad fields) throws `ResumeError` INVALID_RESUME_ENTRY. */
export function decodeJournalEntry(text: string): JournalEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  if (!Array.isArray(raw) || raw.length !== 5) fail('not a 5-element array');
  const [seq, full, kind, a, b] = raw as unknown[];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) fail('bad seq');
  if (full !== 0 && full !== 1) fail('bad full flag');
  if (typeof a !== 'string' || a.length === 0 || a.length > 128) fail('bad topic/event');
  if (kind === REF) {
    if (!isStreamId(b)) fail('bad stream id');
    return { seq, full: full === 1, kind: 'ref', topic: a, id: b };
  }
  if (kind === INLINE) return { seq, full: full === 1, kind: 'inline', event: a, data: b };
  fail('unknown kind');
}
