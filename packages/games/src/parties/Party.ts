import { type Community, UnknownEntityError } from '@concord/guilds';
import { EventEmitter } from 'eventemitter3';
import type { PlayerTokens } from '../tokens/PlayerTokens.js';
import { PartyError } from './PartyError.js';
import { isPartyJoinMode, type PartyJoinMode } from './PartyJoinMode.js';
import type { PartyRecord } from './PartyRecord.js';
import { partyDefaults } from './partyDefaults.js';
import { OVERWRITE_MEMBER, PARTY_MEMBER } from './partyPermissions.js';

/** Why a party ended. */
/** `orphaned`: a host taking parties over found nobody left in it, or its record damaged. */
export type PartyEndReason = 'empty' | 'ended' | 'match_ended' | 'host_closed' | 'orphaned';

export interface PartyEvents {
  memberJoined: [userId: string];
  memberLeft: [userId: string, reason: 'left' | 'kicked'];
  leaderChanged: [userId: string, previous: string];
  ended: [reason: PartyEndReason];
}

/** What a party needs from the host that made it (GameHost.ts). */
export interface PartyContext {
  readonly community: Community;
  readonly guildId: string;
  readonly serviceUserId: string;
  readonly joinTokens: PlayerTokens;
  isPlayer(userId: string): Promise<boolean>;
  /** Users in this channel's voice, as this node's gateway reports them. */
  voiceMembers(channelId: string): Promise<string[]>;
  /** The party ended: the host forgets it. */
  forget(party: Party): void;
  /** Keeps the party's record (GameHost's `parties.store`; a no-op without one), after every change. */
  save(partyId: string, record: PartyRecord): Promise<void>;
  /** The party ended: its record goes. */
  drop(partyId: string): Promise<void>;
}

/** What a party is made from (GameHost.createParty fills the defaults and creates the channel). */
export interface PartyInit {
  channelId: string;
  leaderId: string;
  capacity: number;
  joinMode: PartyJoinMode;
  matchId: string | null;
  /** Members in join order, the leader among them (a party taken over from its record); default: the leader alone. */
  members?: readonly string[];
}

/** A snapshot of a party, for the game backend's API answers. */
export interface PartyInfo {
  id: string;
  channelId: string;
  leaderId: string;
  members: string[];
  capacity: number;
  joinMode: PartyJoinMode;
  matchId: string | null;
  ended: boolean;
}

const JOIN_SCOPE = 'party-join';

/**
 * An ephemeral group (text and voice) the game server made: one hidden voice channel in the game's guild, a size cap,
 * a leader, a join mode and join tokens. Every change goes through the community as the game's service user, so it
 * is stored, dispatched to the players' clients as Discord's CHANNEL_UPDATE/DELETE, checked by the gateway on voice
 * joins, and written to the guild's audit log with the party in the reason. The party ends itself when its last
 * member leaves. Operations run one at a time (two joins racing for the last place cannot both get it).
 */
export class Party extends EventEmitter<PartyEvents> {
  readonly id: string;
  readonly matchId: string | null;
  readonly capacity: number;
  readonly #context: PartyContext;
  /** Members in join order: the next leader is the longest-standing one. */
  readonly #members: string[];
  #leaderId: string;
  #joinMode: PartyJoinMode;
  #ended = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(context: PartyContext, init: PartyInit) {
    super();
    this.#context = context;
    this.id = init.channelId;
    this.matchId = init.matchId;
    this.capacity = init.capacity;
    this.#leaderId = init.leaderId;
    this.#joinMode = init.joinMode;
    this.#members = init.members ? [...init.members] : [init.leaderId];
  }

  /** The party's channel: its text chat and its voice. */
  get channelId(): string {
    return this.id;
  }
  get leaderId(): string {
    return this.#leaderId;
  }
  get joinMode(): PartyJoinMode {
    return this.#joinMode;
  }
  get members(): readonly string[] {
    return [...this.#members];
  }
  get ended(): boolean {
    return this.#ended;
  }

  has(userId: string): boolean {
    return this.#members.includes(userId);
  }

  /** What is stored of the party (PartyRecord.ts). */
  record(): PartyRecord {
    return {
      v: 1,
      leaderId: this.#leaderId,
      capacity: this.capacity,
      joinMode: this.#joinMode,
      matchId: this.matchId,
      members: [...this.#members],
    };
  }

  info(): PartyInfo {
    return {
      id: this.id,
      channelId: this.id,
      leaderId: this.#leaderId,
      members: [...this.#members],
      capacity: this.capacity,
      joinMode: this.#joinMode,
      matchId: this.matchId,
      ended: this.#ended,
    };
  }

  /**
   * A token that lets a player join this party in `invite` mode (and in `open` mode, where none is needed): for one
   * player when `userId` is given, else for whoever holds it. Signed with keys derived from the player-token keys,
   * so a join token never passes as a player token, nor the reverse.
   */
  createJoinToken(options: { userId?: string; ttlMs?: number } = {}): string {
    this.#assertLive();
    const scope = options.userId === undefined ? JOIN_SCOPE : `${JOIN_SCOPE}:${options.userId}`;
    return this.#context.joinTokens.issue(this.id, { ttlMs: options.ttlMs ?? partyDefaults.joinTokenTtlMs, scope });
  }

  /**
   * A player joins by themselves: `open` parties take anyone in the game, `invite` ones a valid join token for this
   * party (and this player, if it names one), `closed` ones nobody (the game server uses {@link add}).
   */
  join(userId: string, options: { token?: string } = {}): Promise<void> {
    return this.#run(async () => {
      if (this.#members.includes(userId)) return;
      if (this.#joinMode === 'closed') throw new PartyError('PARTY_CLOSED', 'this party is closed');
      if (this.#joinMode === 'invite') this.#checkJoinToken(userId, options.token);
      await this.#admit(userId, 'joined');
    });
  }

  /** The game server adds a player, whatever the join mode (the cap still holds). */
  add(userId: string): Promise<void> {
    return this.#run(async () => {
      if (this.#members.includes(userId)) return;
      await this.#admit(userId, 'added by the game server');
    });
  }

  /** A member leaves (the party ends if they were the last; a leader's place goes to the longest-standing member). */
  leave(userId: string): Promise<void> {
    return this.#run(() => this.#remove(userId, 'left'));
  }

  /** The game server (or the leader, through the game's own rules) removes a member. */
  kick(userId: string): Promise<void> {
    return this.#run(() => this.#remove(userId, 'kicked'));
  }

  setLeader(userId: string): Promise<void> {
    return this.#run(async () => {
      this.#assertLive();
      if (!this.#members.includes(userId)) throw new PartyError('NOT_A_MEMBER', 'the new leader is not in the party');
      this.#changeLeader(userId);
      await this.#save();
    });
  }

  setJoinMode(mode: PartyJoinMode): Promise<void> {
    return this.#run(async () => {
      this.#assertLive();
      if (!isPartyJoinMode(mode)) throw new PartyError('INVALID_OPTIONS', 'joinMode is open, invite or closed');
      this.#joinMode = mode;
      await this.#save();
    });
  }

  /** Ends the party: its voice is disconnected and its channel deleted (text history with it). Idempotent. */
  end(reason: PartyEndReason = 'ended'): Promise<void> {
    return this.#run(() => this.#end(reason));
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #save(): Promise<void> {
    return this.#context.save(this.id, this.record());
  }

  #assertLive(): void {
    if (this.#ended) throw new PartyError('PARTY_ENDED', 'this party has ended');
  }

  #checkJoinToken(userId: string, token: string | undefined): void {
    if (token === undefined) throw new PartyError('JOIN_TOKEN_REQUIRED', 'this party takes players with a join token');
    const check = this.#context.joinTokens.verify(token);
    const scope = check.ok ? check.claims.scope : null;
    if (!check.ok || check.claims.userId !== this.id || (scope !== JOIN_SCOPE && scope !== `${JOIN_SCOPE}:${userId}`))
      throw new PartyError('JOIN_TOKEN_INVALID', `the join token was refused (${check.ok ? 'scope' : check.reason})`);
  }

  async #admit(userId: string, why: string): Promise<void> {
    this.#assertLive();
    if (this.#members.length >= this.capacity) throw new PartyError('PARTY_FULL', 'the party is full');
    if (!(await this.#context.isPlayer(userId))) throw new PartyError('NOT_A_PLAYER', 'not a player of this game');
    const { community, guildId, serviceUserId } = this.#context;
    await community.channels.editOverwrite(
      serviceUserId,
      guildId,
      this.id,
      userId,
      { type: OVERWRITE_MEMBER, allow: PARTY_MEMBER.toString(), deny: '0' },
      `party ${this.id}: ${userId} ${why}`,
    );
    this.#members.push(userId);
    this.emit('memberJoined', userId);
    await this.#save();
  }

  async #remove(userId: string, reason: 'left' | 'kicked'): Promise<void> {
    if (this.#ended) return;
    const at = this.#members.indexOf(userId);
    if (at === -1) throw new PartyError('NOT_A_MEMBER', 'not in the party');
    if (this.#members.length === 1) {
      this.#members.splice(at, 1);
      this.emit('memberLeft', userId, reason);
      await this.#end('empty');
      return;
    }
    const { community, guildId, serviceUserId } = this.#context;
    const why = `party ${this.id}: ${userId} ${reason}`;
    await community.channels.deleteOverwrite(serviceUserId, guildId, this.id, userId, why);
    if ((await this.#context.voiceMembers(this.id)).includes(userId))
      await community.members.modify(serviceUserId, guildId, userId, { channel_id: null }, why);
    this.#members.splice(at, 1);
    this.emit('memberLeft', userId, reason);
    if (this.#leaderId === userId) this.#changeLeader(this.#members[0]!);
    await this.#save();
  }

  #changeLeader(userId: string): void {
    const previous = this.#leaderId;
    if (previous === userId) return;
    this.#leaderId = userId;
    this.emit('leaderChanged', userId, previous);
  }

  async #end(reason: PartyEndReason): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const { community, guildId, serviceUserId } = this.#context;
    const why = `party ${this.id}: ended (${reason})`;
    try {
      // Deleting a channel does not end the voice sessions in it: disconnect them first, as Discord does.
      for (const userId of await this.#context.voiceMembers(this.id))
        await community.members.modify(serviceUserId, guildId, userId, { channel_id: null }, why);
      await community.channels.delete(serviceUserId, guildId, this.id, why).catch((error: unknown) => {
        // Deleted by someone else meanwhile (a moderator, the guild's deletion): the party is over all the same.
        if (!(error instanceof UnknownEntityError)) throw error;
      });
      await this.#context.drop(this.id);
    } finally {
      this.#members.length = 0;
      this.#context.forget(this);
      this.emit('ended', reason);
    }
  }
}
