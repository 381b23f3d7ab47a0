import type { APIReaction } from 'discord-api-types/v10';

/** What reading a message needs of the reactions: its `reactions` array as one viewer sees it. */
export interface ReactionSummaries {
  summary(viewerId: string, messageId: string): Promise<APIReaction[]>;
}
