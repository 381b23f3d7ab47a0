import { InMemoryDirectory } from '@concord/gateway-server';

/** The demo world every node serves: one guild, a few text channels, users 1..MAX_USERS (token = user id). */
export const GUILD_ID = '1000';
export const CHANNEL_IDS = ['1001', '1002', '1003', '1004'];
export const MAX_USERS = 1000;
/** Custom dispatch the demo publisher sends: `{ channel, n }`, n counting up from 0 per channel. */
export const DEMO_EVENT = 'DEMO_MESSAGE';

/** The demo's payload: which channel, and the message's number in it. */
export interface DemoMessage {
  channel: string;
  n: number;
}

// The demo's own event joins the gateway's typed dispatch map (declaration merging), so the publisher's
// dispatchToChannel(…, DEMO_EVENT, data) is checked like a Discord event.
declare module '@concord/gateway-server' {
  interface GatewayDispatchMap {
    DEMO_MESSAGE: DemoMessage;
  }
}

export function demoDirectory(): InMemoryDirectory {
  const joined = new Date(0).toISOString();
  return new InMemoryDirectory().addGuild({
    id: GUILD_ID,
    name: 'Cluster demo',
    owner_id: '1',
    channels: CHANNEL_IDS.map((id, i) => ({ id, type: 0, name: `channel-${i + 1}` })),
    // VIEW_CHANNEL for @everyone: every member sees every channel.
    roles: [{ id: GUILD_ID, name: '@everyone', permissions: String(1 << 10), position: 0 }],
    members: Array.from({ length: MAX_USERS }, (_, i) => ({
      user: { id: String(i + 1), username: `user${i + 1}` },
      roles: [],
      joined_at: joined,
    })),
  });
}

/** Demo auth: the token is the user id (1..MAX_USERS). Never do this outside a demo. */
export function authenticate(token: string) {
  const id = Number(token);
  return Number.isInteger(id) && id >= 1 && id <= MAX_USERS
    ? { user: { id: String(id), username: `user${id}`, bot: true } }
    : null;
}
