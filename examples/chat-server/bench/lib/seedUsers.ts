import { Community } from '@concord/guilds';
import { openStorage } from '@concord/storage-adapters/open';
import { tokenOf } from '../../../../packages/gateway-server/bench/lib/load/fixtures.js';
import { LOBBY_ID } from '../../src/createChatServer.js';
import { userIdForToken, usernameForToken } from '../../src/devAuth.js';

/**
 * Stores the bench's users `0 … count - 1` (dev auth's user for token `load-<i>`) as Lobby members in the server's
 * SQLite file, as their first visit would have: their Identify is then a returning user's (the usual one; a first
 * visit also writes the user and the membership). The server must have created the file (and the Lobby) first.
 */
export async function seedUsers(databaseUrl: string, count: number): Promise<void> {
  const storage = await openStorage(databaseUrl);
  const community = new Community({ store: storage.entities, messages: storage.messages, blobs: storage.blobs });
  try {
    for (let i = 0; i < count; i++) {
      const name = usernameForToken(tokenOf(i));
      const user = { id: userIdForToken(tokenOf(i)), username: name, global_name: name, bot: false };
      await community.users.ensure(user);
      await community.members.join(user.id, LOBBY_ID);
    }
  } finally {
    await community.close();
    await storage.close();
  }
}
