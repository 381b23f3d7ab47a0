import { serializeUser } from '@concord/gateway-server/serialize';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { RelationshipRecord } from '../model/records.js';
import { put, remove } from '../store/CommunityRepository.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';

/** Discord's relationship type for a block (RelationshipType.Blocked). */
export const BLOCKED = 2;
/** The most users one user may block (a bound on what a DM check or a list may read). */
export const MAX_BLOCKS = 1000;

/** A relationship as Discord's client API sends it (`GET /users/@me/relationships`, RELATIONSHIP_ADD). */
export interface RelationshipWire {
  id: string;
  type: number;
  user: ReturnType<typeof serializeUser>;
  nickname: null;
  since: string;
}

/**
 * Blocks (Discord's relationships of type 2, `PUT/DELETE /users/@me/relationships/{id}`): a blocked user cannot send
 * the blocker DMs, nor the blocker them (50007, as Discord answers); the blocker's sessions get RELATIONSHIP_ADD and
 * RELATIONSHIP_REMOVE so their clients collapse the blocked user's messages, as Discord's do. Guild messages are
 * still delivered: collapsing them is the client's, on Discord too.
 */
export class RelationshipService {
  constructor(private readonly ctx: CommunityContext) {}

  /**
   * `PUT /users/@me/relationships/{id}` with `{ type: 2 }`. Blocking twice is a no-op. Any other type (Discord's
   * friend requests: no type, or 1) is a 400 here: only blocks are modelled.
   */
  async block(actorId: string, userId: string, body: unknown = { type: BLOCKED }): Promise<void> {
    const { ctx } = this;
    const type = (body as { type?: unknown } | null)?.type;
    if (type !== BLOCKED) {
      const errors = new FormErrors();
      errors.add(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {${BLOCKED}}.`);
      throw new InvalidFormBodyError(errors.toJSON());
    }
    if (userId === actorId) throw new CommunityError('invalidRecipient');
    const user = await ctx.users.get(userId);
    if (!user) throw new UnknownEntityError('user');
    if (await ctx.repo.get('relationship', actorId, userId)) return;
    if ((await ctx.repo.count('relationship', actorId)) >= MAX_BLOCKS) throw new CommunityError('maxRelationships');
    const record: RelationshipRecord = { type: BLOCKED, since: new Date(ctx.now()).toISOString() };
    await ctx.repo.write([put('relationship', actorId, userId, record, userId)]);
    // Not a bot event: discord-api-types (bots' types) has no name for it.
    ctx.gateway()?.dispatchToUsers(actorId, 'RELATIONSHIP_ADD' as never, wire(userId, record, user) as never);
  }

  /** `DELETE /users/@me/relationships/{id}`: absent is fine (204, as Discord). */
  async unblock(actorId: string, userId: string): Promise<void> {
    const { ctx } = this;
    if (!(await ctx.repo.get('relationship', actorId, userId))) return;
    await ctx.repo.write([remove('relationship', actorId, userId)]);
    ctx.gateway()?.dispatchToUsers(actorId, 'RELATIONSHIP_REMOVE' as never, { id: userId, type: BLOCKED } as never);
  }

  /**
   * Everyone `userId` should not hear or be heard by, for a voice server's block list (a block silences both ways,
   * Vivox's "two-way mute"): whom they blocked and who blocked them.
   */
  async muteSet(userId: string): Promise<Set<string>> {
    const { repo } = this.ctx;
    const [blocked, blockers] = await Promise.all([
      repo.store.list('relationship', userId, { limit: MAX_BLOCKS }),
      repo.store.listByRef('relationship', userId, { limit: MAX_BLOCKS }),
    ]);
    return new Set([...blocked.map((r) => r.id), ...blockers.map((r) => r.partition)]);
  }

  /** `GET /users/@me/relationships`: the users `actorId` blocked. */
  async list(actorId: string): Promise<RelationshipWire[]> {
    const { ctx } = this;
    const records = await ctx.repo.list('relationship', actorId, { limit: MAX_BLOCKS });
    const users = await ctx.users.getMany(records.map((r) => r.id));
    const out: RelationshipWire[] = [];
    for (const r of records) {
      const user = users.get(r.id);
      if (user) out.push(wire(r.id, r.value, user));
    }
    return out;
  }
}

function wire(userId: string, record: RelationshipRecord, user: Parameters<typeof serializeUser>[0]): RelationshipWire {
  return { id: userId, type: record.type, user: serializeUser(user), nickname: null, since: record.since };
}
