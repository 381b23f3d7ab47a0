import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryBroker, outgoingCheck } from '@concord/gateway-server';
import { createInMemoryStore, type MessageStore } from '@concord/storage-adapters';
import { type BlobStore, createLocalDiskBlobStore } from '@concord/storage-adapters/blobs';
import type { EntityStore } from '@concord/storage-adapters/entities';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { Community, type CommunityGateway, type CommunityOptions } from '../src/index.js';

/** One dispatch as the recording gateway saw it. */
export interface Recorded {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read recorded payloads of any event
  data: any;
  to: { guildId?: string; channelId?: string; userIds?: string[] };
}

/**
 * A gateway stand-in that records what the community publishes and which users it moves in and out of guilds; the
 * broker is a real in-memory broker, so two harnesses sharing one behave as two nodes of a cluster.
 */
export class RecordingGateway implements CommunityGateway {
  readonly dispatches: Recorded[] = [];
  readonly joined: [string, string][] = [];
  readonly left: [string, string][] = [];
  constructor(readonly broker: InMemoryBroker = new InMemoryBroker()) {}
  dispatchToGuild(guildId: string, event: string, data: unknown): void {
    outgoingCheck()?.dispatch(event, data);
    this.dispatches.push({ event, data, to: { guildId } });
  }
  dispatchToChannel(guildId: string, channelId: string, event: string, data: unknown): void {
    outgoingCheck()?.dispatch(event, data);
    this.dispatches.push({ event, data, to: { guildId, channelId } });
  }
  dispatchToUsers(userIds: string | string[], event: string, data: unknown, options?: { guildId?: string }): void {
    outgoingCheck()?.dispatch(event, data);
    this.dispatches.push({
      event,
      data,
      to: { userIds: [userIds].flat(), ...(options?.guildId ? { guildId: options.guildId } : {}) },
    });
  }
  async addGuildMember(guildId: string, userId: string): Promise<void> {
    this.joined.push([guildId, userId]);
  }
  removeGuildMember(guildId: string, userId: string): void {
    this.left.push([guildId, userId]);
  }
  readonly voice: [string, string, string | null | undefined][] = [];
  async moveVoiceMember(guildId: string, userId: string, channelId: string | null): Promise<number> {
    this.voice.push([guildId, userId, channelId]);
    return 1;
  }
  async refreshVoiceState(guildId: string, userId: string): Promise<number> {
    this.voice.push([guildId, userId, undefined]);
    return 1;
  }
  events(name: string): Recorded[] {
    return this.dispatches.filter((d) => d.event === name);
  }
}

export interface Harness {
  community: Community;
  gateway: RecordingGateway;
  store: EntityStore;
  messages: MessageStore;
  clock: { now: number };
  blobs: BlobStore;
}

/** A community over in-memory stores with a recording gateway; pass `shared` to make a second node of the same cluster. */
export async function createHarness(
  shared?: Pick<Harness, 'store' | 'messages' | 'clock'> & { broker: InMemoryBroker },
  options: Pick<CommunityOptions, 'interactions' | 'messageFilter'> = {},
): Promise<Harness> {
  const store = shared?.store ?? createInMemoryEntityStore();
  const messages = shared?.messages ?? createInMemoryStore();
  const clock = shared?.clock ?? { now: Date.now() };
  const gateway = new RecordingGateway(shared?.broker);
  const blobs = createLocalDiskBlobStore({ directory: mkdtempSync(join(tmpdir(), 'concord-guilds-')) });
  let seq = 0n;
  const base = (BigInt(clock.now - 1_420_070_400_000) << 22n) + (shared ? 1n << 17n : 0n);
  const community = new Community({
    store,
    messages,
    blobs,
    now: () => clock.now,
    ids: { nextString: () => String(base + seq++) },
    ...options,
  });
  await community.attach(gateway as unknown as CommunityGateway);
  return { community, gateway, store, messages, clock, blobs };
}

/** Creates users `owner`, `alice`, `bob`, `carol` (ids 1000…1003) and a guild owned by `owner` that the others joined. */
export async function seedGuild(h: Harness) {
  const { community } = h;
  const [owner, alice, bob, carol] = ['1000', '1001', '1002', '1003'];
  for (const [id, username] of [
    [owner, 'owner'],
    [alice, 'alice'],
    [bob, 'bob'],
    [carol, 'carol'],
  ] as const) {
    await community.users.ensure({ id, username });
  }
  const guild = await community.guilds.create(owner, { name: 'Concord' });
  const channels = await community.channels.list(owner, guild.id);
  const general = channels.find((c) => c.name === 'general')!;
  const invite = await community.invites.create(owner, general.id, { max_age: 0 });
  for (const id of [alice, bob, carol]) await community.invites.accept(id, invite.code);
  return { owner, alice, bob, carol, guild, general, channels, invite };
}
