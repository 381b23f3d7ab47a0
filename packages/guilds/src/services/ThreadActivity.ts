import type { ChannelRecord } from '../model/records.js';
import type { GuildState } from '../state/GuildState.js';

/** What posting in a thread needs of the threads service: unarchive it and join the author (ThreadService.touched). */
export interface ThreadActivity {
  touched(actorId: string, state: GuildState, thread: ChannelRecord, permissions: bigint): Promise<void>;
}
