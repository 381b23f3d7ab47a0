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
}

export interface Invite {
  code: string;
  guild?: { id: string; name: string };
  channel?: { id: string; name: string };
}
