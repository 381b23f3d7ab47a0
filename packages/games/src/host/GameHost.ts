import { createHmac } from 'node:crypto';
import type { UserData } from '@concord/gateway-server';
import { type Community, CommunityError, UnknownEntityError } from '@concord/guilds';
import { SnowflakeGenerator } from '@concord/snowflake';
import type { EntityStore } from '@concord/storage-adapters/entities';
import type { APIAuditLogEntry, APIChannel } from 'discord-api-types/v10';
import { ChannelType } from 'discord-api-types/v10';
import { EventEmitter } from 'eventemitter3';
import { Party, type PartyContext, type PartyEndReason } from '../parties/Party.js';
import { PartyError } from '../parties/PartyError.js';
import { isPartyJoinMode, type PartyJoinMode } from '../parties/PartyJoinMode.js';
import { PARTY_RECORD_KIND, parsePartyRecord } from '../parties/PartyRecord.js';
import { MAX_PARTY_CAPACITY, partyDefaults } from '../parties/partyDefaults.js';
import { OVERWRITE_MEMBER, OVERWRITE_ROLE, PARTY_HIDDEN, PARTY_MEMBER } from '../parties/partyPermissions.js';
import { type AudioEvidenceSource, ReportDesk } from '../safety/ReportDesk.js';
import type { TextSafety } from '../safety/TextSafety.js';
import { GameCaptions, type GameCaptionsOptions } from '../speech/GameCaptions.js';
import {
  type IssueOptions,
  type PlayerTokenKey,
  PlayerTokens,
  type PlayerTokensOptions,
  secretBytes,
} from '../tokens/PlayerTokens.js';

/** What `GameHost.open(options)` takes. */
export interface GameHostOptions {
  community: Community;
  /** The game's guild, where its players, channels and parties live: created (owned by the service user) if absent. */
  guild: { id: string; name: string };
  /**
   * The game backend's own user: a bot, the owner of the game's guild, and the actor of every change made through
   * this host (the audit log names it). Players get Discord's default `@everyone` permissions, without MUTE_MEMBERS,
   * MOVE_MEMBERS, MODERATE_MEMBERS…: what the game server does to them they cannot undo.
   */
  serviceUser: { id: string; username: string };
  /** Player-token signing keys (the first signs); party join tokens use keys derived from these. */
  keys: readonly PlayerTokenKey[];
  /** The rest of the player-token options (issuer, audience, lifetimes, clock). */
  tokens?: Omit<PlayerTokensOptions, 'keys'>;
  /**
   * Player reports (`host.reports`): where they are stored, the text filter whose catches they include (the one
   * given to the Community as `messageFilter`), and the voice server's evidence recorder for audio.
   */
  reports?: { store: EntityStore; textSafety?: TextSafety; audio?: AudioEvidenceSource };
  /**
   * Where parties are kept (`games.party` records, partition the game's guild): with it, a host opened after another
   * one stopped or crashed takes its parties over (`partyRestored`), and `close({ endParties: false })` leaves them
   * to the next. Without it parties live and die with this host. One host per game guild at a time.
   */
  parties?: { store: EntityStore };
}

export interface GameHostEvents {
  partyCreated: [party: Party];
  /** A party taken over from the store when the host opened (its channel and members as they were). */
  partyRestored: [party: Party];
  partyEnded: [party: Party, reason: PartyEndReason];
}

/** What {@link GameHost.createParty} takes. */
export interface CreatePartyOptions {
  leaderId: string;
  name?: string;
  /** 1–99 (default partyDefaults.capacity). */
  capacity?: number;
  joinMode?: PartyJoinMode;
  /** Ties the party to a match: {@link GameHost.endMatch} ends them all. */
  matchId?: string;
}

/** What {@link GameHost.setVoice} changes: server mute, server deafen, and where the player's voice is. */
export interface VoiceControl {
  mute?: boolean;
  deaf?: boolean;
  /** A voice channel to move them to, or null to disconnect them. */
  channelId?: string | null;
}

/** A key derived from a player-token key for another purpose: tokens of one kind never verify as the other. */
function deriveKey(key: PlayerTokenKey, purpose: string): PlayerTokenKey {
  return { id: key.id, secret: createHmac('sha256', secretBytes(key.secret)).update(purpose).digest() };
}

/**
 * The trusted game server's handle on the community: it creates the players' users and their short-lived tokens,
 * channels and parties, moves players, and moderates them (server mute and deafen, timeouts, kicks, bans) as the
 * game's service user, so every action is checked, dispatched to the players' clients as Discord's events and kept
 * in the guild's audit log with its reason. Parties are its children: {@link close} ends them all.
 */
export class GameHost extends EventEmitter<GameHostEvents> {
  readonly community: Community;
  readonly guildId: string;
  readonly serviceUserId: string;
  #captions: GameCaptions | null = null;
  /** Verifies player tokens (pass it to createPlayerAuthenticate for the gateway and REST). */
  readonly tokens: PlayerTokens;
  /** Player reports with evidence; null without the `reports` option. */
  readonly reports: ReportDesk | null;
  readonly #joinTokens: PlayerTokens;
  readonly #parties = new Map<string, Party>();
  readonly #partyContext: PartyContext;
  readonly #partyStore: EntityStore | null;

  private constructor(options: GameHostOptions) {
    super();
    this.community = options.community;
    this.guildId = options.guild.id;
    this.serviceUserId = options.serviceUser.id;
    this.tokens = new PlayerTokens({ ...options.tokens, keys: options.keys });
    this.#joinTokens = new PlayerTokens({
      ...options.tokens,
      keys: options.keys.map((key) => deriveKey(key, 'concord party join token')),
    });
    const ids = new SnowflakeGenerator();
    this.reports = options.reports
      ? new ReportDesk({
          community: this.community,
          guildId: this.guildId,
          serviceUserId: this.serviceUserId,
          store: options.reports.store,
          ...(options.reports.textSafety ? { textSafety: options.reports.textSafety } : {}),
          ...(options.reports.audio ? { audio: options.reports.audio } : {}),
          nextId: () => ids.nextString(),
        })
      : null;
    const host = this;
    const store = options.parties?.store ?? null;
    this.#partyStore = store;
    const guildId = this.guildId;
    this.#partyContext = {
      community: this.community,
      guildId: this.guildId,
      serviceUserId: this.serviceUserId,
      joinTokens: this.#joinTokens,
      isPlayer: (userId) => host.#isPlayer(userId),
      voiceMembers: (channelId) => host.#voiceMembers(channelId),
      forget(party) {
        host.#parties.delete(party.id);
      },
      save: async (partyId, record) => {
        await store?.write([{ op: 'put', kind: PARTY_RECORD_KIND, partition: guildId, id: partyId, value: record }]);
      },
      drop: async (partyId) => {
        await store?.write([{ op: 'delete', kind: PARTY_RECORD_KIND, partition: guildId, id: partyId }]);
      },
    };
  }

  /** Makes sure the service user and the game's guild exist, then returns the host. */
  static async open(options: GameHostOptions): Promise<GameHost> {
    const { community, guild, serviceUser } = options;
    await community.users.ensure({ id: serviceUser.id, username: serviceUser.username, bot: true });
    const exists = await community.guilds.get(serviceUser.id, guild.id).then(
      () => true,
      (error: unknown) => {
        if (error instanceof UnknownEntityError) return false;
        throw error;
      },
    );
    if (!exists) {
      await community.guilds.create(
        serviceUser.id,
        { name: guild.name },
        { ignoreLimit: true, ids: { guild: guild.id } },
      );
    }
    const host = new GameHost(options);
    await host.#restoreParties();
    return host;
  }

  /** The player's user (created when new) and their membership of the game's guild. */
  async createPlayer(input: { id: string; username: string; globalName?: string }): Promise<UserData> {
    const user = await this.community.users.ensure({
      id: input.id,
      username: input.username,
      ...(input.globalName !== undefined ? { global_name: input.globalName } : {}),
    });
    await this.community.members.join(user.id, this.guildId);
    return user as UserData;
  }

  /** A short-lived token the player's client connects with (Identify, `Authorization: Bearer`). */
  issueToken(userId: string, options?: IssueOptions): string {
    return this.tokens.issue(userId, options);
  }

  /** A text or voice channel of the game's guild (a team channel, a match lobby); `hidden` ones only the host sees. */
  createChannel(
    input: { name: string; type: 'text' | 'voice'; hidden?: boolean },
    reason?: string,
  ): Promise<APIChannel> {
    return this.community.channels.create(
      this.serviceUserId,
      this.guildId,
      {
        name: input.name,
        type: input.type === 'voice' ? ChannelType.GuildVoice : ChannelType.GuildText,
        ...(input.hidden
          ? {
              permission_overwrites: [
                { id: this.guildId, type: OVERWRITE_ROLE, allow: '0', deny: PARTY_HIDDEN.toString() },
              ],
            }
          : {}),
      },
      reason,
    );
  }

  closeChannel(channelId: string, reason?: string): Promise<APIChannel> {
    return this.community.channels.delete(this.serviceUserId, this.guildId, channelId, reason);
  }

  /** Lets a player see and use a hidden channel (or takes it away with `allowed: false`). */
  async allowChannel(channelId: string, userId: string, allowed: boolean, reason?: string): Promise<void> {
    if (allowed) {
      await this.community.channels.editOverwrite(
        this.serviceUserId,
        this.guildId,
        channelId,
        userId,
        { type: OVERWRITE_MEMBER, allow: PARTY_MEMBER.toString(), deny: '0' },
        reason,
      );
    } else await this.community.channels.deleteOverwrite(this.serviceUserId, this.guildId, channelId, userId, reason);
  }

  /** Server mute, server deafen, move or disconnect: the player's client shows them and cannot undo them. */
  async setVoice(userId: string, control: VoiceControl, reason?: string): Promise<void> {
    const body: Record<string, unknown> = {};
    if (control.mute !== undefined) body.mute = control.mute;
    if (control.deaf !== undefined) body.deaf = control.deaf;
    if (control.channelId !== undefined) body.channel_id = control.channelId;
    await this.community.members.modify(this.serviceUserId, this.guildId, userId, body, reason);
  }

  /** A timeout (Discord's: no messages, reactions, or voice until then; at most 28 days), or null to lift it. */
  async timeout(userId: string, until: Date | null, reason?: string): Promise<void> {
    await this.community.members.modify(
      this.serviceUserId,
      this.guildId,
      userId,
      { communication_disabled_until: until === null ? null : until.toISOString() },
      reason,
    );
  }

  kick(userId: string, reason?: string): Promise<void> {
    return this.community.members.kick(this.serviceUserId, this.guildId, userId, reason);
  }

  ban(userId: string, options: { deleteMessageSeconds?: number } = {}, reason?: string): Promise<void> {
    const body = options.deleteMessageSeconds ? { delete_message_seconds: options.deleteMessageSeconds } : {};
    return this.community.members.ban(this.serviceUserId, this.guildId, userId, body, reason);
  }

  unban(userId: string, reason?: string): Promise<void> {
    return this.community.members.unban(this.serviceUserId, this.guildId, userId, reason);
  }

  /** The game's guild audit log: every action of this host, by the service user, with its reason. */
  auditLog(query: { limit?: number; before?: string; userId?: string } = {}): Promise<APIAuditLogEntry[]> {
    return this.community.auditLog.list(this.serviceUserId, this.guildId, {
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.userId !== undefined ? { userId: query.userId } : {}),
    });
  }

  /** A new party with its leader in it. */
  async createParty(options: CreatePartyOptions): Promise<Party> {
    const capacity = options.capacity ?? partyDefaults.capacity;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_PARTY_CAPACITY)
      throw new PartyError('INVALID_OPTIONS', `capacity must be an integer from 1 to ${MAX_PARTY_CAPACITY}`);
    const joinMode = options.joinMode ?? partyDefaults.joinMode;
    if (!isPartyJoinMode(joinMode)) throw new PartyError('INVALID_OPTIONS', 'joinMode is open, invite or closed');
    if (!(await this.#isPlayer(options.leaderId))) throw new PartyError('NOT_A_PLAYER', 'the leader is not a player');
    const channel = await this.community.channels
      .create(
        this.serviceUserId,
        this.guildId,
        {
          type: ChannelType.GuildVoice,
          name: options.name ?? partyDefaults.name,
          user_limit: capacity,
          permission_overwrites: [
            { id: this.guildId, type: OVERWRITE_ROLE, allow: '0', deny: PARTY_HIDDEN.toString() },
            { id: options.leaderId, type: OVERWRITE_MEMBER, allow: PARTY_MEMBER.toString(), deny: '0' },
          ],
        },
        `party created for ${options.leaderId}${options.matchId !== undefined ? ` (match ${options.matchId})` : ''}`,
      )
      .catch((error: unknown) => {
        // A party is a channel of the game's guild, and a guild holds 500 channels (as on Discord).
        if (error instanceof CommunityError && error.kind === 'maxChannels')
          throw new PartyError('PARTY_LIMIT', 'the game guild holds no more channels: end parties first', {
            cause: error,
          });
        throw error;
      });
    const party = new Party(this.#partyContext, {
      channelId: channel.id,
      leaderId: options.leaderId,
      capacity,
      joinMode,
      matchId: options.matchId ?? null,
    });
    this.#adopt(party);
    try {
      await this.#partyContext.save(party.id, party.record());
    } catch (error) {
      // Not kept, so no later host could end it: end it now rather than leave a channel nobody owns.
      await party.end('ended').catch(() => undefined);
      throw error;
    }
    this.emit('partyCreated', party);
    return party;
  }

  #adopt(party: Party): void {
    this.#parties.set(party.id, party);
    party.once('ended', (reason) => this.emit('partyEnded', party, reason));
  }

  /**
   * Takes over the parties a previous host kept (`parties.store`): each whose channel still exists comes back with
   * its members as the channel's overwrites say (in the kept join order; one added after the last save goes last)
   * and its leader, join mode, cap and match; records whose channel is gone are dropped; a party whose record is
   * damaged or that has nobody left is ended (its channel deleted), so no channel outlives its party.
   */
  async #restoreParties(): Promise<void> {
    const store = this.#partyStore;
    if (!store) return;
    const guild = (await this.community.directory.guild(this.guildId)) as {
      channels?: readonly {
        id: string;
        permission_overwrites?: readonly { id: string; type: number; allow: string }[];
      }[];
    } | null;
    const channels = new Map((guild?.channels ?? []).map((c) => [c.id, c]));
    let after: string | undefined;
    for (;;) {
      const page = await store.list(PARTY_RECORD_KIND, this.guildId, { limit: 1000, ...(after ? { after } : {}) });
      for (const { id, value } of page) {
        const channel = channels.get(id);
        if (!channel) {
          await this.#partyContext.drop(id);
          continue;
        }
        const inChannel = (channel.permission_overwrites ?? [])
          .filter((o) => o.type === OVERWRITE_MEMBER && (BigInt(o.allow) & PARTY_MEMBER) === PARTY_MEMBER)
          .map((o) => o.id);
        const record = parsePartyRecord(value);
        const members = record
          ? [
              ...record.members.filter((m) => inChannel.includes(m)),
              ...inChannel.filter((m) => !record.members.includes(m)),
            ]
          : [];
        const leaderId = record && members.includes(record.leaderId) ? record.leaderId : (members[0] ?? '');
        const party = new Party(this.#partyContext, {
          channelId: id,
          leaderId,
          capacity: record?.capacity ?? MAX_PARTY_CAPACITY,
          joinMode: record?.joinMode ?? 'closed',
          matchId: record?.matchId ?? null,
          members,
        });
        this.#adopt(party);
        if (members.length === 0) {
          await party.end('orphaned');
          continue;
        }
        await this.#partyContext.save(id, party.record());
        this.emit('partyRestored', party);
      }
      if (page.length < 1000) break;
      after = page.at(-1)!.id;
    }
  }

  party(partyId: string): Party | undefined {
    return this.#parties.get(partyId);
  }

  parties(): Party[] {
    return [...this.#parties.values()];
  }

  /** Ends every party of a match; returns how many. */
  async endMatch(matchId: string): Promise<number> {
    const ending = this.parties().filter((p) => p.matchId === matchId);
    await Promise.all(ending.map((p) => p.end('match_ended')));
    return ending.length;
  }

  /**
   * Captions and text to speech through the voice server (speech/GameCaptions.ts): `link` a voice channel to a text
   * channel, `speak` into one. One per host (a second call replaces the first); closed with the host.
   */
  speech(options: GameCaptionsOptions): GameCaptions {
    this.#captions?.close();
    this.#captions = new GameCaptions(this, options);
    return this.#captions;
  }

  /** The captions set up by `speech`, or null. */
  get captions(): GameCaptions | null {
    return this.#captions;
  }

  /** Says `text` in a voice channel as the service user, through `speech({ voice, synthesizer })`; once played. */
  async speak(channelId: string, text: string): Promise<void> {
    if (!this.#captions) throw new Error('call host.speech({ voice, synthesizer }) first');
    await this.#captions.speak(channelId, text);
  }

  /**
   * Ends every party this host made (their channels go with them), and the captions. With `endParties: false` (and a
   * `parties.store`) the parties stay, kept, for the next host to take over: a rolling restart of the game server.
   */
  async close(options: { endParties?: boolean } = {}): Promise<void> {
    this.#captions?.close();
    this.#captions = null;
    if (options.endParties === false && this.#partyStore) {
      this.#parties.clear();
      return;
    }
    await Promise.all(this.parties().map((p) => p.end('host_closed')));
  }

  async #isPlayer(userId: string): Promise<boolean> {
    const state = await this.community.directory.members(this.guildId, { limit: 1, userIds: [userId] });
    return state.some((m) => m.user.id === userId);
  }

  async #voiceMembers(channelId: string): Promise<string[]> {
    const guild = await this.community.directory.guild(this.guildId);
    const states = (guild as { voice_states?: readonly { user_id: string; channel_id: string | null }[] } | null)
      ?.voice_states;
    return (states ?? []).filter((s) => s.channel_id === channelId).map((s) => s.user_id);
  }
}
