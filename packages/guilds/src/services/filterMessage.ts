import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError, SlowmodeError } from '../errors/CommunityError.js';
import type { FilteredMessage, MessageFilterInput, MessageVerdict } from '../moderation/MessageFilter.js';

/** What a message is stored with after the community's filter judged it. */
export interface FilterOutcome {
  content: string;
  verdict: MessageVerdict;
}

const ALLOW: FilterOutcome['verdict'] = { action: 'allow' };

/**
 * Runs `ctx.messageFilter` on a message's content: the content to store, or Discord's error (200000 for a rejected
 * message, 429 with `retry_after` for a slowed-down author). An empty content is not filtered (nothing to judge).
 */
export async function filterMessage(ctx: CommunityContext, input: MessageFilterInput): Promise<FilterOutcome> {
  const filter = ctx.messageFilter;
  if (!filter || input.content === '') return { content: input.content, verdict: ALLOW };
  const verdict = await filter.check(input);
  switch (verdict?.action) {
    case 'allow':
    case 'flag':
      return { content: input.content, verdict };
    case 'mask':
      if (typeof verdict.content !== 'string') throw new TypeError('a mask verdict needs the masked content');
      return { content: verdict.content, verdict };
    case 'reject':
      throw new CommunityError('automodBlocked');
    case 'slow':
      throw new SlowmodeError(Math.max(0, verdict.retryAfterSeconds));
    default:
      // A filter answering something else is a bug in it: refuse rather than store what it did not judge.
      throw new TypeError(`message filter answered ${JSON.stringify(verdict)?.slice(0, 80)}`);
  }
}

/** Tells the filter about a stored message it flagged or masked. */
export async function reportFiltered(
  ctx: CommunityContext,
  outcome: FilterOutcome,
  message: Omit<FilteredMessage, 'original'>,
  original: string,
): Promise<void> {
  const { verdict } = outcome;
  if (verdict.action !== 'flag' && verdict.action !== 'mask') return;
  await ctx.messageFilter?.filtered?.(
    verdict.action === 'mask' ? { ...message, original } : message,
    verdict as MessageVerdict & { action: 'flag' | 'mask' },
  );
}
