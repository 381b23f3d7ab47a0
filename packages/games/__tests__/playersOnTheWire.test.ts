import type { AddressInfo } from 'node:net';
import { createGatewayServer, type GatewayServer } from '@concord/gateway-server';
import { Community } from '@concord/guilds';
import { concordRest, restFrameworkErrors } from '@concord/rest-server';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPlayerAuthenticate, GameHost } from '../src/index.js';
import { SECRET, signToken } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, read field by field by the assertions.
type Json = any;
const GUILDS_AND_VOICE = 1 | 128;

/** A bare player client: identifies with its token, keeps every dispatch, waits (bounded) for one. */
class Player {
  readonly events: { t: string; d: Json }[] = [];
  readonly #waiters = new Set<() => void>();
  readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/?v=10&encoding=json`);
    this.ws.on('message', (raw) => {
      const p = JSON.parse(String(raw));
      if (p.op === 0) this.events.push({ t: p.t, d: p.d });
      for (const w of [...this.#waiters]) w();
    });
  }
  send(op: number, d: Json): void {
    this.ws.send(JSON.stringify({ op, d }));
  }
  async sendIdentify(token: string): Promise<void> {
    await new Promise((resolve, reject) => this.ws.once('open', resolve).once('error', reject));
    this.send(2, { token, intents: GUILDS_AND_VOICE, properties: { os: 'linux', browser: 'game', device: 'game' } });
  }
  async identify(token: string): Promise<Json> {
    await this.sendIdentify(token);
    return (await this.waitFor('READY')).d;
  }
  waitFor(t: string, match: (d: Json) => boolean = () => true): Promise<{ t: string; d: Json }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find((e) => e.t === t && match(e.d));
        if (!found) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${t} within 10 s`));
      }, 10_000);
      this.#waiters.add(check);
      check();
    });
  }
  closed(): Promise<number> {
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }
}

let stack: { app: FastifyInstance; gateway: GatewayServer; host: GameHost; url: string; players: Player[] } | null;

afterEach(async () => {
  if (!stack) return;
  for (const p of stack.players) p.ws.terminate();
  await stack.host.close();
  await stack.gateway.close();
  await stack.app.close();
  stack = null;
});

async function start() {
  const community = new Community({ store: createInMemoryEntityStore(), messages: createInMemoryStore() });
  const host = await GameHost.open({
    community,
    guild: { id: '1300000000000000000', name: 'Space Game' },
    serviceUser: { id: '1300000000000000001', username: 'Space Game' },
    keys: [{ id: 'k1', secret: SECRET }],
  });
  const authenticate = createPlayerAuthenticate({ tokens: host.tokens, findUser: (id) => community.users.find(id) });
  const app = Fastify({ frameworkErrors: restFrameworkErrors });
  const gateway = await createGatewayServer({
    server: app.server,
    directory: community.directory,
    authenticate,
    identifyIntervalMs: 0,
    identifyLimitPerAddress: false,
  });
  await app.register(concordRest, { community, authenticate, gateway, prefix: '/api' });
  await community.attach(gateway);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  stack = { app, gateway, host, url, players: [] };
  return stack;
}

describe('players on the wire', () => {
  it('connect with the tokens the game server issued; a forged or expired one is closed with 4004', async () => {
    const { host, url, players } = await start();
    const ada = (await host.createPlayer({ id: '1300000000000000100', username: 'ada' })).id;
    const player = new Player(url);
    players.push(player);
    const ready = await player.identify(host.issueToken(ada));
    expect(ready.user).toMatchObject({ id: ada, username: 'ada', bot: false });
    expect(ready.guilds.map((g: Json) => g.id)).toEqual([host.guildId]);
    const me = await fetch(`${url}/api/v10/users/@me`, {
      headers: { authorization: `Bearer ${host.issueToken(ada)}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: ada });
    const now = Math.floor(Date.now() / 1000);
    const expired = signToken({ alg: 'HS256', kid: 'k1' }, { sub: ada, iat: now - 3600, exp: now - 1800 });
    for (const token of [`${host.issueToken(ada).slice(0, -2)}xx`, expired]) {
      const refused = new Player(url);
      players.push(refused);
      const closed = refused.closed();
      await refused.sendIdentify(token);
      expect(await closed).toBe(4004);
    }
  });

  it('a party: members see it and join its voice, others cannot; leaving disconnects; the end deletes it', async () => {
    const { host, url, players } = await start();
    const [ada, bob, cy] = await Promise.all(
      ['ada', 'bob', 'cy'].map(
        async (name, i) => (await host.createPlayer({ id: `130000000000000010${i}`, username: name })).id,
      ),
    );
    const clients = [new Player(url), new Player(url), new Player(url)];
    players.push(...clients);
    const [pa, pb, pc] = clients as [Player, Player, Player];
    await Promise.all([
      pa.identify(host.issueToken(ada!)),
      pb.identify(host.issueToken(bob!)),
      pc.identify(host.issueToken(cy!)),
    ]);
    const lobby = await host.createChannel({ name: 'lobby', type: 'voice' });
    const party = await host.createParty({ leaderId: ada!, joinMode: 'invite' });
    await party.join(bob!, { token: party.createJoinToken({ userId: bob! }) });
    // Bob's client hears of the overwrite that lets him in.
    await pb.waitFor(
      'CHANNEL_UPDATE',
      (d) => d.id === party.id && d.permission_overwrites.some((o: Json) => o.id === bob),
    );

    pb.send(4, { guild_id: host.guildId, channel_id: party.id, self_mute: false, self_deaf: false });
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === bob && d.channel_id === party.id);
    // Cy is refused (ignored, as Discord does); his next, allowed, join shows the refusal was not just slow.
    pc.send(4, { guild_id: host.guildId, channel_id: party.id, self_mute: false, self_deaf: false });
    pc.send(4, { guild_id: host.guildId, channel_id: lobby.id, self_mute: false, self_deaf: false });
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === cy && d.channel_id === lobby.id);
    expect(
      pa.events.some((e) => e.t === 'VOICE_STATE_UPDATE' && e.d.user_id === cy && e.d.channel_id === party.id),
    ).toBe(false);

    await party.leave(bob!);
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === bob && d.channel_id === null);
    await party.end();
    await pa.waitFor('CHANNEL_DELETE', (d) => d.id === party.id);
  });
});
