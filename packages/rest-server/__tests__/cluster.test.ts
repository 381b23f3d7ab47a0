// Two nodes in two processes (helpers/clusterNode.ts), each a whole server (concordRest + GatewayServer + Community),
// sharing one Redis (broker, resume store, throttles) and one PostgreSQL (entities, messages): a change made through
// node A's REST governs what node B's gateway delivers, from the next dispatch on. "Not delivered" is proven without
// timing: after the message that must not arrive, A posts a marker in a visible channel of the same guild; A publishes
// both on one connection and Redis keeps their order, so once B's client has the marker, the other would have come.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserData } from '@concord/gateway-server';
import { ContractViolationError, readContractViolations } from '@concord/gateway-server/contract';
import { SnowflakeGenerator } from '@concord/snowflake';
import { requireService } from '@concord/test-services';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharePostgresServer } from '../../storage-adapters/__tests__/postgresServerLock.js';
import { GatewayClient } from './helpers/gatewayClient.js';
import { knownServiceViolation } from './helpers/knownServiceViolations.js';

const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://concord:concord@127.0.0.1:54320/concord';
const REDIS = { host: '127.0.0.1', port: 6379 };

const redisUp = await requireService({ name: 'redis', ...REDIS, howToStart: 'bash .ci/services/redis.sh start' });
const postgresUp = await requireService({
  name: 'postgres',
  howToStart: 'bash .ci/services/postgres.sh start',
  probe: async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
  },
});
const up = redisUp && postgresUp;

const run = `${process.pid}_${Date.now().toString(36)}`;
const schema = `concord_rest_cluster_${run}`;
const prefix = `concord:rest-cluster:${run}:`;
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

const ids = new SnowflakeGenerator({ workerId: 9 });
const person = (username: string): UserData & { token: string } => ({
  id: ids.nextString(),
  username,
  bot: false,
  token: `${username}-token`,
});
const owner = person('owner');
const viewer = person('viewer');
const newcomer = person('newcomer');
const bot = { ...person('clusterbot'), bot: true };
const users = Object.fromEntries([owner, viewer, newcomer, bot].map((u) => [u.token, u] as const));

interface NodeProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
}

const nodes: NodeProcess[] = [];
const clients: GatewayClient[] = [];
let contractDir: string | undefined;
let release: () => void = () => undefined;

async function startNode(worker: number, contractFile: string): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '__tests__/helpers/clusterNode.ts'], {
    cwd: packageRoot,
    env: {
      ...process.env,
      NODE_WORKER: String(worker),
      REDIS_HOST: REDIS.host,
      REDIS_PORT: String(REDIS.port),
      REDIS_PREFIX: prefix,
      POSTGRES_URL,
      POSTGRES_SCHEMA: schema,
      CONCORD_USERS: JSON.stringify(users),
      CONCORD_CONTRACT_CHECK: contractFile,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    out += chunk;
  });
  const node: NodeProcess = { url: '', child, output: () => out };
  nodes.push(node);
  node.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${worker} did not start within 30 s:\n${out}`)), 30_000);
    const look = () => {
      const line = /\{"listening":"([^"]+)"\}/.exec(out);
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      resolve(line[1]!);
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${worker} exited with ${code}:\n${out}`));
    });
  });
  return node;
}

async function stopNode(node: NodeProcess): Promise<void> {
  const { child } = node;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function api<T = unknown>(
  node: NodeProcess,
  who: { token: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${node.url}/api/v10${path}`, {
    method,
    headers: {
      authorization: `Bot ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} on ${node.url} answered ${res.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The status and Discord error code `who` gets for GET `path` on `node`. */
async function probe(node: NodeProcess, who: { token: string }, path: string): Promise<[number, number | null]> {
  const res = await fetch(`${node.url}/api/v10${path}`, { headers: { authorization: `Bot ${who.token}` } });
  const body = (await res.json()) as { code?: number };
  return [res.status, res.ok ? null : (body.code ?? null)];
}

beforeAll(async () => {
  if (!up) return;
  release = await sharePostgresServer();
  contractDir = mkdtempSync(join(tmpdir(), 'concord-rest-cluster-'));
  const contractFile = join(contractDir, 'violations.jsonl');
  // One after the other: the first creates the schema and tables the second then finds.
  await startNode(21, contractFile);
  await startNode(22, contractFile);
}, 70_000);

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(nodes.map(stopNode));
  if (up) {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
    const redis = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${run}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
  release();
  if (contractDir) {
    const violations = readContractViolations(join(contractDir, 'violations.jsonl')).filter(
      (v) => !v.violations.every((x) => knownServiceViolation(v.name, x)),
    );
    rmSync(contractDir, { recursive: true, force: true });
    if (violations.length > 0) throw new ContractViolationError(violations);
  }
}, 30_000);

describe.skipIf(!up)('two nodes in two processes, one Redis and one PostgreSQL', () => {
  let guildId: string;
  let general: string;
  let invite: string;

  it('a member joining through an invite accepted on node A gets GUILD_CREATE on their session on node B', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    guildId = (await api<{ id: string }>(a, owner, 'POST', '/guilds', { name: 'Cluster' })).id;
    const channels = await api<{ id: string; type: number }[]>(a, owner, 'GET', `/guilds/${guildId}/channels`);
    general = channels.find((c) => c.type === 0)!.id;
    invite = (await api<{ code: string }>(a, owner, 'POST', `/channels/${general}/invites`, { max_age: 0 })).code;

    const session = await GatewayClient.identify(b.url, newcomer.token);
    clients.push(session);
    expect((await session.waitFor('READY')).d.guilds).toEqual([]);
    await api(a, newcomer, 'POST', `/invites/${invite}`);
    const created = await session.waitFor('GUILD_CREATE', (d) => d.id === guildId);
    expect(created.d.name).toBe('Cluster');
    expect((created.d.channels as { id: string }[]).map((c) => c.id)).toContain(general);
    expect((created.d.members as { user: { id: string } }[]).map((m) => m.user.id)).toContain(newcomer.id);
    // And node B's REST answers from the same state.
    const member = await api<{ user: { id: string } }>(b, newcomer, 'GET', `/guilds/${guildId}/members/${newcomer.id}`);
    expect(member.user.id).toBe(newcomer.id);
  }, 30_000);

  it("a role given and taken on node A opens and closes a hidden channel on node B's gateway at once", async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    await api(a, viewer, 'POST', `/invites/${invite}`);
    const session = await GatewayClient.identify(b.url, viewer.token);
    clients.push(session);
    await session.waitFor('GUILD_CREATE', (d) => d.id === guildId);

    const insiders = (await api<{ id: string }>(a, owner, 'POST', `/guilds/${guildId}/roles`, { name: 'insiders' })).id;
    const secret = (
      await api<{ id: string }>(a, owner, 'POST', `/guilds/${guildId}/channels`, {
        name: 'secret',
        type: 0,
        permission_overwrites: [
          { id: guildId, type: 0, allow: '0', deny: String(P.ViewChannel) },
          { id: insiders, type: 0, allow: String(P.ViewChannel), deny: '0' },
        ],
      })
    ).id;
    const post = (channel: string, content: string) =>
      api(a, owner, 'POST', `/channels/${channel}/messages`, { content });
    /** Posts `content` in the secret channel, then a marker in #general, and waits for the marker on B. */
    const postThenMarker = async (content: string, marker: string): Promise<void> => {
      await post(secret, content);
      await post(general, marker);
      await session.waitFor('MESSAGE_CREATE', (d) => d.content === marker);
    };

    await postThenMarker('hidden 1', 'marker 1');
    expect(session.messages()).toEqual(['marker 1']);
    expect(await probe(b, viewer, `/channels/${secret}/messages`)).toEqual([403, 50001]);

    await api(a, owner, 'PUT', `/guilds/${guildId}/members/${viewer.id}/roles/${insiders}`);
    await post(secret, 'visible 2');
    const delivered = await session.waitFor('MESSAGE_CREATE', (d) => d.content === 'visible 2');
    expect(delivered.d.channel_id).toBe(secret);
    expect(await probe(b, viewer, `/channels/${secret}/messages`)).toEqual([200, null]);

    await api(a, owner, 'DELETE', `/guilds/${guildId}/members/${viewer.id}/roles/${insiders}`);
    await postThenMarker('hidden 3', 'marker 3');
    expect(session.messages()).toEqual(['marker 1', 'visible 2', 'marker 3']);
    expect(await probe(b, viewer, `/channels/${secret}/messages`)).toEqual([403, 50001]);
  }, 30_000);

  it('an interaction invoked on node A is answered on node B and followed up on node A; each session hears its part', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    await api(b, bot, 'GET', '/users/@me');
    await api(a, owner, 'POST', `/oauth2/authorize?client_id=${bot.id}&scope=bot`, {
      guild_id: guildId,
      permissions: String(P.SendMessages | P.ViewChannel),
      authorize: true,
    });
    const [command] = await api<{ id: string }[]>(b, bot, 'PUT', `/applications/${bot.id}/commands`, [
      { name: 'ping', description: 'Pings' },
    ]);
    const botSession = await GatewayClient.identify(b.url, bot.token);
    const userSession = await GatewayClient.identify(b.url, newcomer.token);
    clients.push(botSession, userSession);
    await api(a, newcomer, 'POST', '/interactions', {
      type: 2,
      application_id: bot.id,
      guild_id: guildId,
      channel_id: general,
      nonce: '42',
      data: { id: command!.id, name: 'ping', type: 1 },
    });
    const created = (await botSession.waitFor('INTERACTION_CREATE', (d) => d.data?.name === 'ping')).d;
    const answered = await fetch(`${b.url}/api/v10/interactions/${created.id}/${created.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 5 }),
    });
    expect(answered.status).toBe(204);
    await userSession.waitFor('INTERACTION_SUCCESS', (d) => d.id === created.id && d.nonce === '42');
    const followUp = await fetch(`${a.url}/api/v10/webhooks/${bot.id}/${created.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'pong from A' }),
    });
    expect(followUp.status).toBe(200);
    const message = await userSession.waitFor('MESSAGE_CREATE', (d) => d.content === 'pong from A');
    expect(message.d.interaction_metadata.id).toBe(created.id);
    const again = await fetch(`${a.url}/api/v10/interactions/${created.id}/${created.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 5 }),
    });
    expect(((await again.json()) as { code: number }).code).toBe(40060);
  }, 30_000);
});
