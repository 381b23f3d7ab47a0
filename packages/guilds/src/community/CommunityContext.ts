import type { MessageStore } from '@concord/storage-adapters';
import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { AuditEntryInput } from '../model/AuditEntryInput.js';
import type { MessageFilter } from '../moderation/MessageFilter.js';
import type { ReactionSummaries } from '../services/ReactionSummaries.js';
import type { ThreadActivity } from '../services/ThreadActivity.js';
import type { GuildCache } from '../state/GuildCache.js';
import type { StateChange } from '../state/StateChange.js';
import type { UserCache } from '../state/UserCache.js';
import type { CommunityRepository } from '../store/CommunityRepository.js';
import type { CommunityGateway } from './CommunityGateway.js';

/** What every service of the community model is built on (created once by `Community`). */
export interface CommunityContext {
  readonly repo: CommunityRepository;
  readonly messages: MessageStore;
  readonly guilds: GuildCache;
  readonly users: UserCache;
  /** Appends an audit log entry (and dispatches it to those who may read the log). */
  readonly audit: { record(input: AuditEntryInput): Promise<unknown> };
  /** Message reactions as a viewer sees them (MessageService reads them, ReactionService keeps them). */
  readonly reactions: ReactionSummaries;
  /** Thread bookkeeping when a message is posted in one (ThreadService). */
  readonly threads: ThreadActivity;
  /** Where images (emoji, avatars, guild icons) go; null when the model runs without one. */
  readonly blobs: BlobStore | null;
  /** The hook user messages go through before they are stored (moderation/MessageFilter.ts); null: none. */
  readonly messageFilter: MessageFilter | null;
  /** A new snowflake id. */
  nextId(): string;
  /** The clock (Unix ms). */
  now(): number;
  /** The gateway to publish dispatches on; null when the model runs without one. */
  gateway(): CommunityGateway | null;
  /** Applies state changes on this node (cache, sessions' guild lists) and on every other node of the cluster. */
  commit(changes: StateChange[]): Promise<void>;
}
