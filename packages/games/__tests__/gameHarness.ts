import { InMemoryBroker } from '@concord/gateway-server';
import { Community, type CommunityGateway } from '@concord/guilds';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { type AudioEvidenceSource, GameHost, type TextSafety } from '../src/index.js';
import { SECRET } from './helpers.js';

/** One dispatch the community published. */
export interface Published {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read payloads of any event
  data: any;
}

/** A gateway stand-in that records what the community publishes and the voice moves it asks for. */
export class RecordingGateway {
  readonly broker = new InMemoryBroker();
  readonly published: Published[] = [];
  readonly voiceMoves: [string, string | null][] = [];
  dispatchToGuild(_guildId: string, event: string, data: unknown): void {
    this.published.push({ event, data });
  }
  dispatchToChannel(_guildId: string, _channelId: string, event: string, data: unknown): void {
    this.published.push({ event, data });
  }
  dispatchToUsers(_userIds: string | string[], event: string, data: unknown): void {
    this.published.push({ event, data });
  }
  async addGuildMember(): Promise<void> {}
  removeGuildMember(): void {}
  async moveVoiceMember(_guildId: string, userId: string, channelId: string | null): Promise<number> {
    this.voiceMoves.push([userId, channelId]);
    return 1;
  }
  async refreshVoiceState(): Promise<number> {
    return 1;
  }
  events(name: string): Published[] {
    return this.published.filter((p) => p.event === name);
  }
}

export const GAME_GUILD = '1300000000000000000';
export const SERVICE_USER = '1300000000000000001';

/** A community over in-memory stores with a game host on it and `players` players (ids 1300…100 onwards). */
export async function createGame(
  players = 0,
  options: { textSafety?: TextSafety; audio?: AudioEvidenceSource; keepParties?: boolean } = {},
) {
  const gateway = new RecordingGateway();
  const store = createInMemoryEntityStore();
  const community = new Community({
    store,
    messages: createInMemoryStore(),
    ...(options.textSafety ? { messageFilter: options.textSafety } : {}),
  });
  await community.attach(gateway as unknown as CommunityGateway);
  const host = await GameHost.open({
    community,
    guild: { id: GAME_GUILD, name: 'Space Game' },
    serviceUser: { id: SERVICE_USER, username: 'Space Game' },
    keys: [{ id: 'k1', secret: SECRET }],
    reports: {
      store,
      ...(options.textSafety ? { textSafety: options.textSafety } : {}),
      ...(options.audio ? { audio: options.audio } : {}),
    },
    ...(options.keepParties ? { parties: { store } } : {}),
  });
  const ids: string[] = [];
  for (let i = 0; i < players; i++) {
    const id = String(1300000000000000100n + BigInt(i));
    await host.createPlayer({ id, username: `player${i}` });
    ids.push(id);
  }
  return { community, gateway, host, players: ids, store };
}
