// The Discord objects the page reads, field by field as the API sends them (only the fields it uses).

export interface User {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
  bot?: boolean;
}

export interface Role {
  id: string;
  name: string;
  color: number;
  position: number;
  permissions: string;
  hoist?: boolean;
  managed?: boolean;
}

export interface Overwrite {
  id: string;
  /** 0 role, 1 member. */
  type: number;
  allow: string;
  deny: string;
}

export interface Channel {
  id: string;
  type: number;
  name?: string | null;
  guild_id?: string;
  position?: number;
  parent_id?: string | null;
  topic?: string | null;
  last_message_id?: string | null;
  permission_overwrites?: Overwrite[];
  recipients?: User[];
  /** Threads: who started it, and whether it is archived or locked. */
  owner_id?: string;
  thread_metadata?: { archived: boolean; locked?: boolean };
}

export interface Member {
  user: User;
  nick?: string | null;
  roles: string[];
  /** A timeout: until when the member may only read. */
  communication_disabled_until?: string | null;
}

export interface Guild {
  id: string;
  name: string;
  owner_id: string;
  icon?: string | null;
  roles: Role[];
  channels: Channel[];
  members?: Member[];
  presences?: { user: { id: string }; status: string }[];
  threads?: Channel[];
}

export interface Attachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url?: string;
  content_type?: string;
  width?: number | null;
  height?: number | null;
}

export interface Reaction {
  count: number;
  me: boolean;
  emoji: { id: string | null; name: string | null };
}

export interface Message {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: User;
  member?: { nick?: string | null; roles?: string[] };
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  nonce?: string | number;
  type: number;
  mentions?: User[];
  mention_roles?: string[];
  mention_everyone?: boolean;
  attachments?: Attachment[];
  reactions?: Reaction[];
  message_reference?: { message_id?: string; channel_id?: string };
  referenced_message?: Message | null;
  /** 64 EPHEMERAL (only the invoker sees it), 128 LOADING (a deferred response), 32768 IS_COMPONENTS_V2. */
  flags?: number;
  components?: Component[];
  webhook_id?: string;
  application_id?: string;
  /** What invoked an interaction's response or follow-up (types 20 and 23). */
  interaction_metadata?: {
    id: string;
    type: number;
    user: User;
    /** Not in Discord's schema; read when a server sends it. */
    name?: string;
    target_user?: User;
  };
  /** The deprecated predecessor of `interaction_metadata`, which carries the command's name. */
  interaction?: { id: string; type: number; name: string; user: User };
}

/** A message component (action rows, buttons, selects, text inputs, and the display components of V2 layouts). */
export interface Component {
  type: number;
  id?: number;
  custom_id?: string;
  components?: Component[];
  /** A Label's (18) or a Section's accessory, one component. */
  component?: Component;
  accessory?: Component;
  style?: number;
  label?: string;
  description?: string;
  emoji?: { id?: string | null; name?: string | null };
  url?: string;
  disabled?: boolean;
  placeholder?: string;
  min_values?: number;
  max_values?: number;
  options?: SelectOption[];
  channel_types?: number[];
  default_values?: { id: string; type: 'user' | 'role' | 'channel' }[];
  /** Text inputs. */
  min_length?: number;
  max_length?: number;
  required?: boolean;
  value?: string;
  /** Text display (10). */
  content?: string;
  /** Container (17). */
  accent_color?: number | null;
  /** Thumbnail (11) and media gallery (12) items. */
  media?: { url: string };
  items?: { media: { url: string }; description?: string | null }[];
  divider?: boolean;
  spacing?: number;
}

export interface SelectOption {
  label: string;
  value: string;
  description?: string;
  emoji?: { id?: string | null; name?: string | null };
  default?: boolean;
}

export interface CommandChoice {
  name: string;
  value: string | number;
}

export interface CommandOption {
  /** 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 9 mentionable, 10 number, 11 attachment. */
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: CommandChoice[];
  autocomplete?: boolean;
  options?: CommandOption[];
  channel_types?: number[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
}

export interface ApplicationCommand {
  id: string;
  application_id: string;
  version: string;
  /** 1 chat input (`/`), 2 user, 3 message. */
  type: number;
  name: string;
  description: string;
  options?: CommandOption[];
}

/** What `GET …/application-command-index` answers: the commands I may use here and their applications. */
export interface CommandIndex {
  applications: { id: string; name: string; icon?: string | null; bot_id?: string }[];
  application_commands: ApplicationCommand[];
}

export interface Invite {
  code: string;
  guild?: { id: string; name: string };
  channel?: { id: string; name: string };
}
