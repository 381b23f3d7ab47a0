import type { GatewayServer } from '@concord/gateway-server';

/**
 * What the community model needs of a gateway: the typed dispatch methods (every change publishes Discord's
 * dispatch), membership changes of live sessions (a user who joins gets GUILD_CREATE, one who leaves GUILD_DELETE),
 * server-side voice moderation (moves, disconnects, server mute), and the broker, over which the nodes of a cluster keep each other's guild state current (ClusterSync.ts). A
 * `GatewayServer` is one; tests pass a recorder.
 */
export type CommunityGateway = Pick<
  GatewayServer,
  | 'dispatchToGuild'
  | 'dispatchToChannel'
  | 'dispatchToUsers'
  | 'addGuildMember'
  | 'removeGuildMember'
  | 'moveVoiceMember'
  | 'refreshVoiceState'
  | 'broker'
>;
