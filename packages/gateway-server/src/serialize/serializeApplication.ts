import type { APIApplication, ApplicationFlags } from 'discord-api-types/v10';
import type { Snowflake, UserData } from '../types.js';
import { serializeUser } from './serializeUser.js';

export interface ApplicationData {
  id: Snowflake;
  name: string;
  owner: UserData;
  /** The application's bot user, when it has one. */
  bot?: UserData;
  description?: string;
  icon?: string | null;
  flags?: number;
  verifyKey?: string;
}

/** `GET /applications/@me` as Discord's OpenAPI description has it: fields it requires beyond discord-api-types. */
export type SerializedApplication = APIApplication & {
  type: number | null;
  explicit_content_filter: number;
  eligible_oauth2_scopes: string[];
};

/**
 * Discord's application object (`GET /applications/@me`, `GET /oauth2/applications/@me`). `owner`, `redirect_uris`,
 * `interactions_endpoint_url`, `role_connections_verification_url` and the approximate counts are optional in
 * discord-api-types but required by Discord's OpenAPI description, so they are always sent.
 */
export function serializeApplication(app: ApplicationData): SerializedApplication {
  const flags = app.flags ?? 0;
  const out: SerializedApplication = {
    id: app.id,
    name: app.name,
    icon: app.icon ?? null,
    description: app.description ?? '',
    summary: '',
    type: null,
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: app.verifyKey ?? '',
    flags: flags as ApplicationFlags,
    flags_new: String(flags),
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: serializeUser(app.owner),
    approximate_guild_count: 0,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    team: null,
    eligible_oauth2_scopes: [],
  };
  if (app.bot) out.bot = serializeUser(app.bot);
  return out;
}
