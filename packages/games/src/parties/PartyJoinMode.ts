/** Who may join a party: anyone in the game (`open`), holders of a join token (`invite`), only the game server (`closed`). */
export type PartyJoinMode = 'open' | 'invite' | 'closed';

export function isPartyJoinMode(value: unknown): value is PartyJoinMode {
  return value === 'open' || value === 'invite' || value === 'closed';
}
