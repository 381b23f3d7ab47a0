import { SnowflakeGenerator } from '@concord/snowflake';
import type { MessageStore } from '@concord/storage-adapters';
import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { EntityStore } from '@concord/storage-adapters/entities';
import { CommunityDirectory } from '../directory/CommunityDirectory.js';
import type { InteractionClocks } from '../interactions/interactionDefaults.js';
import type { MessageFilter } from '../moderation/MessageFilter.js';
import { ApplicationCommandService } from '../services/ApplicationCommandService.js';
import { AuditLog } from '../services/AuditLog.js';
import { BotAuthorization } from '../services/BotAuthorization.js';
import { ChannelService } from '../services/ChannelService.js';
import { DmService } from '../services/DmService.js';
import { EmojiService } from '../services/EmojiService.js';
import { GuildService } from '../services/GuildService.js';
import { InteractionService } from '../services/InteractionService.js';
import { InviteService } from '../services/InviteService.js';
import { MemberService } from '../services/MemberService.js';
import { MessageService } from '../services/MessageService.js';
import { PinService } from '../services/PinService.js';
import { ReactionService } from '../services/ReactionService.js';
import { RelationshipService } from '../services/RelationshipService.js';
import { RoleService } from '../services/RoleService.js';
import { ThreadService } from '../services/ThreadService.js';
import { UserService } from '../services/UserService.js';
import { WebhookService } from '../services/WebhookService.js';
import { GuildCache } from '../state/GuildCache.js';
import type { StateChange } from '../state/StateChange.js';
import { UserCache } from '../state/UserCache.js';
import { CommunityRepository } from '../store/CommunityRepository.js';
import { ClusterSync } from './ClusterSync.js';
import type { CommunityContext } from './CommunityContext.js';
import type { CommunityGateway } from './CommunityGateway.js';

/** What `new Community(options)` takes. */
export interface CommunityOptions {
  /** Where guilds, channels, roles, members, … live (`@concord/storage-adapters/entities`, `/sqlite`, `/postgres`). */
  store: EntityStore;
  /** Where messages live (any `MessageStore` of `@concord/storage-adapters`). */
  messages: MessageStore;
  /** Where images go (emoji, avatars, guild icons), served at Discord's CDN paths; without one, images are refused. */
  blobs?: BlobStore;
  /** The gateway to publish on; also settable later with {@link Community.attach}. */
  gateway?: CommunityGateway;
  /** Id source; default a `SnowflakeGenerator` with the Discord epoch. */
  ids?: { nextString(): string };
  /** Clock (Unix ms); default `Date.now`. */
  now?: () => number;
  /** The interaction deadline and token lifetime (`interactionDefaults`: Discord's 3 s and 15 min). */
  interactions?: Partial<InteractionClocks>;
  /** Every user message (post or edit) goes through it before it is stored: reject, mask, flag, slow down. */
  messageFilter?: MessageFilter;
}

/**
 * The community model: guilds, channels, roles and permissions, members, bans, invites, DMs, messages, reactions, pins,
 * users and the audit log, as Discord has them, over an entity store and a message store. Every method takes the
 * acting user's id first, checks Discord's permissions, stores the change, and publishes Discord's dispatch on the
 * attached gateway; `directory` is the gateway's `Directory` over the same state. Several nodes (each with its own
 * `Community` and gateway on a shared broker and stores) keep each other current through the broker.
 */
export class Community {
  readonly guilds: GuildService;
  readonly channels: ChannelService;
  readonly threads: ThreadService;
  readonly roles: RoleService;
  readonly members: MemberService;
  readonly invites: InviteService;
  readonly messages: MessageService;
  readonly reactions: ReactionService;
  readonly pins: PinService;
  readonly emojis: EmojiService;
  /** Adding bots to guilds (`POST /oauth2/authorize`). */
  readonly bots: BotAuthorization;
  readonly dms: DmService;
  readonly users: UserService;
  /** Blocks (Discord's relationships of type 2): DMs refused both ways, RELATIONSHIP_ADD/REMOVE to the blocker. */
  readonly relationships: RelationshipService;
  readonly auditLog: AuditLog;
  /** Application commands, global and per guild, and their permissions. */
  readonly commands: ApplicationCommandService;
  /** Invoking and answering interactions, and their webhook (original response, follow-ups). */
  readonly interactions: InteractionService;
  /** Channel webhooks and executing them. */
  readonly webhooks: WebhookService;
  /** The gateway's `Directory` (pass it as `directory` to `new GatewayServer`). */
  readonly directory: CommunityDirectory;
  readonly #cache: GuildCache;
  readonly #sync = new ClusterSync();
  #gateway: CommunityGateway | null = null;
  #pendingAttach: Promise<void> = Promise.resolve();

  constructor(options: CommunityOptions) {
    const repo = new CommunityRepository(options.store);
    const users = new UserCache(repo);
    this.#cache = new GuildCache(repo, users);
    const ids = options.ids ?? new SnowflakeGenerator();
    const auditLog = new AuditLog();
    const reactionsRef: { current: ReactionService | null } = { current: null };
    const threadsRef: { current: ThreadService | null } = { current: null };
    const context: CommunityContext = {
      repo,
      messages: options.messages,
      blobs: options.blobs ?? null,
      messageFilter: options.messageFilter ?? null,
      guilds: this.#cache,
      users,
      audit: auditLog,
      reactions: { summary: (viewer, message) => reactionsRef.current!.summary(viewer, message) },
      threads: {
        touched: (actor, state, thread, permissions) => threadsRef.current!.touched(actor, state, thread, permissions),
      },
      nextId: () => ids.nextString(),
      now: options.now ?? Date.now,
      gateway: () => this.#gateway,
      commit: (changes) => this.#commit(changes),
    };
    auditLog.bind(context);
    this.auditLog = auditLog;
    this.guilds = new GuildService(context);
    this.threads = new ThreadService(context);
    threadsRef.current = this.threads;
    this.channels = new ChannelService(context, this.threads);
    this.roles = new RoleService(context);
    this.members = new MemberService(context);
    this.invites = new InviteService(context, this.members);
    this.messages = new MessageService(context);
    this.reactions = new ReactionService(context);
    reactionsRef.current = this.reactions;
    this.pins = new PinService(context);
    this.emojis = new EmojiService(context);
    this.bots = new BotAuthorization(context, this.members, this.roles);
    this.dms = new DmService(context);
    this.users = new UserService(context);
    this.relationships = new RelationshipService(context);
    this.commands = new ApplicationCommandService(context);
    this.interactions = new InteractionService(context, this.commands, this.dms, options.interactions);
    this.webhooks = new WebhookService(context);
    this.directory = new CommunityDirectory(this.#cache, repo, (userId) => {
      this.members.expireTemporary(userId).catch(() => undefined);
    });
    if (options.gateway) void this.attach(options.gateway);
  }

  /**
   * Publishes on `gateway` from now on and joins the cluster over its broker (other nodes' changes are applied
   * here as they arrive). Resolves once subscribed.
   */
  attach(gateway: CommunityGateway): Promise<void> {
    this.#gateway = gateway;
    this.#pendingAttach = this.#sync.attach(gateway.broker, (changes) => void this.#apply(changes));
    return this.#pendingAttach;
  }

  /**
   * Loads every stored guild when there are few (at most 128) and keeps them, so the gateway's Identify reads a user's
   * guilds from memory instead of the store; resolves true when it did. Call after {@link Community.attach} (a node in
   * a cluster must hear of guilds created elsewhere from then on).
   */
  async loadGuilds(): Promise<boolean> {
    await this.#pendingAttach;
    return this.#cache.loadAll();
  }

  /**
   * The guild a channel (or thread) belongs to, for routes that name only the channel: the guild id, `null` for a DM
   * or group DM, undefined when there is no such channel. Whether the caller may see it is each service's check.
   */
  locateChannel(channelId: string): Promise<string | null | undefined> {
    return this.#cache.locateChannel(channelId);
  }

  /** Stops listening to the cluster (the stores are the caller's to close). */
  async close(): Promise<void> {
    await this.#pendingAttach.catch(() => undefined);
    this.interactions.close();
    await this.#sync.detach();
    this.#gateway = null;
  }

  async #commit(changes: StateChange[]): Promise<void> {
    await this.#apply(changes);
    this.#sync.publish(changes);
  }

  /** One rule for local and remote changes: update the cache, then move this node's sessions in or out of guilds. */
  async #apply(changes: StateChange[]): Promise<void> {
    const effects: Promise<void>[] = [];
    for (const change of changes) {
      this.#cache.apply(change);
      const gateway = this.#gateway;
      if (!gateway) continue;
      if (change.type === 'member' && change.joined === true) {
        effects.push(gateway.addGuildMember(change.guildId, change.member.user_id));
      } else if (change.type === 'memberDelete') {
        gateway.removeGuildMember(change.guildId, change.userId);
      } else if (change.type === 'voice') {
        effects.push(
          (change.channelId === undefined
            ? gateway.refreshVoiceState(change.guildId, change.userId)
            : gateway.moveVoiceMember(change.guildId, change.userId, change.channelId)
          ).then(() => undefined),
        );
      } else if (change.type === 'guildDelete') {
        for (const userId of change.memberIds) gateway.removeGuildMember(change.guildId, userId);
      }
    }
    await Promise.all(effects);
  }
}
