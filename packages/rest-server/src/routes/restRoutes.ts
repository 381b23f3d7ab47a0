import type { RouteDefinition } from '../pipeline/RouteDefinition.js';
import { auditLogRoutes } from './auditLogRoutes.js';
import { banRoutes } from './banRoutes.js';
import { channelRoutes } from './channelRoutes.js';
import { commandRoutes } from './commandRoutes.js';
import { emojiRoutes } from './emojiRoutes.js';
import { gatewayRoutes } from './gatewayRoutes.js';
import { guildRoutes } from './guildRoutes.js';
import { interactionRoutes } from './interactionRoutes.js';
import { inviteRoutes } from './inviteRoutes.js';
import { memberRoutes } from './memberRoutes.js';
import { messageRoutes } from './messageRoutes.js';
import { oauth2Routes } from './oauth2Routes.js';
import { pinRoutes } from './pinRoutes.js';
import { reactionRoutes } from './reactionRoutes.js';
import { roleRoutes } from './roleRoutes.js';
import { threadRoutes } from './threadRoutes.js';
import { userRoutes } from './userRoutes.js';
import { webhookRoutes } from './webhookRoutes.js';

/** Every route the plugin serves, in Discord's paths (one file per resource). */
export const restRoutes: readonly RouteDefinition[] = [
  ...gatewayRoutes,
  ...userRoutes,
  ...guildRoutes,
  ...channelRoutes,
  ...roleRoutes,
  ...memberRoutes,
  ...banRoutes,
  ...inviteRoutes,
  ...messageRoutes,
  ...reactionRoutes,
  ...pinRoutes,
  ...auditLogRoutes,
  ...threadRoutes,
  ...emojiRoutes,
  ...oauth2Routes,
  ...commandRoutes,
  ...interactionRoutes,
  ...webhookRoutes,
];
