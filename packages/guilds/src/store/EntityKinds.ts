import type {
  CommandPermissionsRecord,
  CommandRecord,
  InteractionMessageRecord,
  InteractionRecord,
  WebhookRecord,
} from '../model/interactionRecords.js';
import type {
  AuditLogRecord,
  BanRecord,
  ChannelRecord,
  DmLinkRecord,
  EmojiRecord,
  GuildRecord,
  InviteRecord,
  MemberRecord,
  PinRecord,
  ReactionEmojiRecord,
  ReactionUserRecord,
  RelationshipRecord,
  RoleRecord,
  SlowmodeRecord,
  ThreadMemberRecord,
  UserRecord,
} from '../model/records.js';

/** Entity kind → record type: the typed face of the generic entity store (see CommunityRepository.ts). */
export interface EntityKinds {
  user: UserRecord;
  guild: GuildRecord;
  channel: ChannelRecord;
  role: RoleRecord;
  member: MemberRecord;
  ban: BanRecord;
  invite: InviteRecord;
  emoji: EmojiRecord;
  audit: AuditLogRecord;
  pin: PinRecord;
  reaction: ReactionUserRecord;
  'reaction-emoji': ReactionEmojiRecord;
  'thread-member': ThreadMemberRecord;
  'dm-link': DmLinkRecord;
  slowmode: SlowmodeRecord;
  command: CommandRecord;
  'command-permissions': CommandPermissionsRecord;
  webhook: WebhookRecord;
  interaction: InteractionRecord;
  'interaction-message': InteractionMessageRecord;
  relationship: RelationshipRecord;
}

export type EntityKind = keyof EntityKinds;
