// The game backend's part of the demo, which a real game does its own way (its login, its matchmaker, its netcode):
// `POST /demo/join` makes a player, issues their token and a join token for the one demo party (made on demand, its
// voice positional with positions from the clients); `PUT /demo/position` and `GET /demo/state` share where everyone
// is so each page can draw the others' dots. Voice never reads these: the clients tell the voice server themselves
// (op 1001), which is the point of trusted mode.
import type { GameHost, Party } from '@concord/games';
import type { VoiceServer } from '@concord/voice';
import type { FastifyInstance } from 'fastify';
import { type DemoPlayer, type DemoPosition, type DemoTicket, demoWorld } from './demoWorld.js';

/** Player ids of the demo: snowflake-shaped, counted up from here. */
const FIRST_PLAYER_ID = 1_400_000_000_000_000_000n;

/** Registers the demo routes: the party is created by the first player who joins and lives while anyone is in it. */
export function demoLobby(app: FastifyInstance, host: GameHost, voice: VoiceServer): void {
  let next = 0n;
  let party: Party | null = null;
  const players = new Map<string, DemoPlayer>();

  const currentParty = async (leaderId: string): Promise<Party> => {
    if (party && host.party(party.id)) return party;
    party = await host.createParty({ leaderId, joinMode: 'invite', name: 'Demo party', capacity: 8 });
    voice.setPositional(host.guildId, party.channelId, { range: demoWorld.range, positionSource: 'client' });
    return party;
  };

  const playerOf = (authorization: string | undefined): string | null => {
    const check = host.tokens.verify(authorization?.replace(/^Bearer /, '') ?? '');
    return check.ok ? check.claims.userId : null;
  };

  app.post('/demo/join', async (request, reply) => {
    const name = String((request.body as { name?: unknown } | null)?.name ?? '');
    const username = name.replace(/[^\w.-]/g, '').slice(0, 32) || 'player';
    const userId = (FIRST_PLAYER_ID + next++).toString();
    await host.createPlayer({ id: userId, username });
    const joined = await currentParty(userId);
    const spawn = { x: 150 + ((players.size * 100) % 500), y: demoWorld.height / 2 };
    players.set(userId, { id: userId, name: username, ...spawn });
    const ticket: DemoTicket = {
      userId,
      token: host.issueToken(userId),
      partyId: joined.id,
      joinToken: joined.createJoinToken({ userId }),
      spawn,
    };
    return reply.code(201).send(ticket);
  });

  app.put('/demo/position', async (request, reply) => {
    const userId = playerOf(request.headers.authorization);
    const player = userId ? players.get(userId) : undefined;
    if (!player) return reply.code(401).send({ message: 'a player token of this demo' });
    const { x, y } = (request.body ?? {}) as Partial<DemoPosition>;
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y))
      return reply.code(400).send({ message: 'x and y are numbers' });
    player.x = Math.min(Math.max(x, 0), demoWorld.width);
    player.y = Math.min(Math.max(y, 0), demoWorld.height);
    return reply.code(204).send();
  });

  app.get('/demo/state', async () => {
    const members = party && host.party(party.id) ? party.info().members : [];
    return { players: members.flatMap((id) => players.get(id) ?? []) };
  });
}
