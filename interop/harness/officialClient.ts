import WebSocket from 'ws';
import type { RunningServer } from '../../examples/chat-server/__tests__/startServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the tests.
type Json = any;

export interface Dispatch {
  t: string;
  d: Json;
  s: number;
}

/** One command of `GET …/application-command-index` (`application_commands[]`). */
export interface IndexedCommand {
  id: string;
  application_id: string;
  version: string;
  name: string;
  type: number;
  options?: { type: number; name: string }[];
}

/** How the server settled an interaction for the invoking session. */
export interface InteractionOutcome {
  nonce: string;
  /** INTERACTION_SUCCESS, INTERACTION_FAILURE, or INTERACTION_MODAL_CREATE when a modal answered it. */
  t: string;
  d: Json;
}

export interface RestAnswer {
  status: number;
  body: Json;
}

/** What a waiter gives up after: every wait is bounded, so a missing dispatch fails the test with what did arrive. */
export const WAIT_MS = 15_000;

// GUILDS | GUILD_MEMBERS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT: what the example's page asks for, minus
// presence and typing noise.
const INTENTS = 1 | 2 | 512 | 4096 | 32768;
const DISCORD_EPOCH = 1_420_070_400_000n;
let nonceSequence = 0n;

/** A snowflake for "now", as the official client makes its nonces. */
export function nonceSnowflake(): string {
  nonceSequence = (nonceSequence + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | nonceSequence).toString();
}

/**
 * A user of the example server acting as Discord's official client does around interactions: one JSON gateway session
 * (its `session_id` goes into every interaction), REST as that user (no `Bot` scheme), `POST /interactions` with the
 * bodies the client sends, and the client-only dispatches that settle them (INTERACTION_SUCCESS / _FAILURE, the modal,
 * autocomplete choices), all matched by the nonce it chose.
 */
export class OfficialClient {
  readonly events: Dispatch[] = [];
  readonly #waiters: { pred: (e: Dispatch) => boolean; resolve: (e: Dispatch) => void }[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #seq: number | null = null;
  sessionId = '';
  user: { id: string; username: string } = { id: '', username: '' };

  private constructor(
    readonly server: RunningServer,
    readonly token: string,
    readonly guildId: string,
    readonly channelId: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (raw) => this.#onPayload(JSON.parse(String(raw))));
    ws.on('close', () => clearInterval(this.#heartbeat));
  }

  /** Logs in (dev auth: the token names the user), waits for READY and the guild it is looking at. */
  static async connect(server: RunningServer, token: string, where: { guildId: string; channelId: string }) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/?v=10&encoding=json`);
    const client = new OfficialClient(server, token, where.guildId, where.channelId, ws);
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      }),
      WAIT_MS,
      `${token}: gateway connection`,
    );
    ws.send(
      JSON.stringify({
        op: 2,
        d: {
          token,
          intents: INTENTS,
          properties: { os: 'Linux', browser: 'Discord Client', device: '' },
          presence: { status: 'online', since: 0, activities: [], afk: false },
        },
      }),
    );
    const ready = await client.waitFor('READY', () => true, `${token}: READY`);
    client.sessionId = ready.d.session_id;
    client.user = { id: ready.d.user.id, username: ready.d.user.username };
    await client.waitFor('GUILD_CREATE', (d) => d.id === where.guildId, `${token}: GUILD_CREATE of ${where.guildId}`);
    return client;
  }

  #onPayload(p: Json): void {
    if (typeof p.s === 'number') this.#seq = p.s;
    if (p.op === 10) {
      // The session must outlive a JVM start and the whole scenario: heartbeat as any client does.
      this.#heartbeat = setInterval(
        () => this.ws.send(JSON.stringify({ op: 1, d: this.#seq })),
        p.d.heartbeat_interval,
      );
      this.#heartbeat.unref();
      return;
    }
    if (p.op !== 0) return;
    const e: Dispatch = { t: p.t, d: p.d, s: p.s };
    this.events.push(e);
    for (const w of [...this.#waiters]) {
      if (w.pred(e)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }

  /** The first dispatch (already received or to come) of one of `types` matching `pred`, within `timeoutMs`. */
  waitFor(types: string | string[], pred: (d: Json) => boolean, what: string, timeoutMs = WAIT_MS): Promise<Dispatch> {
    const wanted = new Set(Array.isArray(types) ? types : [types]);
    const match = (e: Dispatch) => wanted.has(e.t) && pred(e.d);
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`${this.token} waited ${timeoutMs} ms for ${what}; it received:\n${this.describeEvents()}`));
      }, timeoutMs);
      const waiter = {
        pred: match,
        resolve: (e: Dispatch) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** The last dispatches, one line each, for failure messages. */
  describeEvents(last = 25): string {
    const skip = new Set(['PRESENCE_UPDATE', 'TYPING_START', 'GUILD_MEMBER_ADD', 'GUILD_MEMBER_UPDATE']);
    return this.events
      .filter((e) => !skip.has(e.t))
      .slice(-last)
      .map((e) => `  ${e.t} ${JSON.stringify(e.d).slice(0, 400)}`)
      .join('\n');
  }

  waitForMessage(
    t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE',
    pred: (d: Json) => boolean,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<Json> {
    return this.waitFor(t, pred, `${t} (${what})`, timeoutMs).then((e) => e.d);
  }

  /** REST as this user, the way the official client calls it (its token, no `Bot` scheme). */
  async rest(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const res = await fetch(`${this.server.api}${path}`, {
      method,
      headers: {
        Authorization: this.token,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the failure message
    }
    return { status: res.status, body: parsed };
  }

  /** `GET /guilds/{guild}/application-command-index`: the commands the client offers when the user types `/`. */
  async commandIndex(
    guildId = this.guildId,
  ): Promise<{ applications: Json[]; application_commands: IndexedCommand[] }> {
    const res = await this.rest('GET', `/guilds/${guildId}/application-command-index`);
    if (res.status !== 200) {
      throw new Error(`GET application-command-index answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  /** `POST /interactions` (204 expected); returns the nonce it chose. */
  async #post(type: number, body: Record<string, unknown>): Promise<string> {
    const nonce = nonceSnowflake();
    const payload = { type, ...body, session_id: this.sessionId, nonce };
    const res = await this.rest('POST', '/interactions', payload);
    if (res.status !== 204) {
      throw new Error(
        `POST /interactions (type ${type}) answered ${res.status}: ${JSON.stringify(res.body)}\nbody: ${JSON.stringify(payload)}`,
      );
    }
    return nonce;
  }

  /** Waits for the dispatch that settles the interaction of `nonce` for this session. */
  async settled(nonce: string, what: string): Promise<InteractionOutcome> {
    const e = await this.waitFor(
      ['INTERACTION_SUCCESS', 'INTERACTION_FAILURE', 'INTERACTION_MODAL_CREATE'],
      (d) => d?.nonce === nonce,
      `the outcome of ${what} (nonce ${nonce})`,
    );
    return { nonce, t: e.t, d: e.d };
  }

  #commandData(command: IndexedCommand, options: Record<string, string | number | boolean>, focused?: string) {
    const opts = Object.entries(options).map(([name, value]) => {
      const declared = command.options?.find((o) => o.name === name);
      if (!declared) throw new Error(`/${command.name} has no option ${name}: ${JSON.stringify(command.options)}`);
      return { type: declared.type, name, value, ...(name === focused ? { focused: true } : {}) };
    });
    return {
      version: command.version,
      id: command.id,
      name: command.name,
      type: command.type,
      ...(opts.length > 0 ? { options: opts } : {}),
      // The client sends back the command as the index listed it, and the files of ATTACHMENT options (none here).
      application_command: command,
      attachments: [],
    };
  }

  /** Type 2: a slash command (`options` by name, typed from the registered command) or a context-menu command. */
  async invoke(
    command: IndexedCommand,
    options: Record<string, string | number | boolean> = {},
    targetId?: string,
  ): Promise<InteractionOutcome> {
    const data = { ...this.#commandData(command, options), ...(targetId ? { target_id: targetId } : {}) };
    const nonce = await this.#post(2, {
      application_id: command.application_id,
      guild_id: this.guildId,
      channel_id: this.channelId,
      data,
      ...(command.type === 1 ? { analytics_location: 'slash_ui' } : {}),
    });
    return this.settled(nonce, `/${command.name}`);
  }

  /** Type 4: what the client sends while the user types in option `focused`; resolves with the bot's choices. */
  async autocomplete(
    command: IndexedCommand,
    options: Record<string, string | number | boolean>,
    focused: string,
  ): Promise<{ name: string; value: string | number }[]> {
    const nonce = await this.#post(4, {
      application_id: command.application_id,
      guild_id: this.guildId,
      channel_id: this.channelId,
      data: this.#commandData(command, options, focused),
    });
    const e = await this.waitFor(
      ['APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE', 'INTERACTION_FAILURE'],
      (d) => d?.nonce === nonce,
      `autocomplete choices for /${command.name} ${focused} (nonce ${nonce})`,
    );
    if (e.t === 'INTERACTION_FAILURE') throw new Error(`autocomplete failed: ${JSON.stringify(e.d)}`);
    return e.d.choices;
  }

  /** Type 3: a click on a button, or a pick in a select (`values`), of a message the client received. */
  async click(message: Json, customId: string, values?: string[]): Promise<InteractionOutcome> {
    const component = findComponent(message.components ?? [], customId);
    if (!component) throw new Error(`message ${message.id} has no component ${customId}: ${JSON.stringify(message)}`);
    const nonce = await this.#post(3, {
      application_id: message.application_id ?? message.author.id,
      guild_id: message.guild_id ?? this.guildId,
      channel_id: message.channel_id,
      message_flags: message.flags ?? 0,
      message_id: message.id,
      data: { component_type: component.type, custom_id: customId, ...(values ? { values } : {}) },
    });
    return this.settled(nonce, `a click on ${customId}`);
  }

  /** Type 5: submits the modal of an INTERACTION_MODAL_CREATE, each text input filled from `values` by custom_id. */
  async submitModal(modal: Json, values: Record<string, string>): Promise<InteractionOutcome> {
    const input = (c: Json) => ({
      type: c.type,
      ...(c.id !== undefined ? { id: c.id } : {}),
      custom_id: c.custom_id,
      value: values[c.custom_id] ?? '',
    });
    // The submission mirrors the modal's layout: rows of inputs, or labels (type 18) around one input each.
    const components = (modal.components as Json[]).map((top) =>
      top.type === 18
        ? { type: 18, ...(top.id !== undefined ? { id: top.id } : {}), component: input(top.component) }
        : { type: top.type, ...(top.id !== undefined ? { id: top.id } : {}), components: top.components.map(input) },
    );
    const nonce = await this.#post(5, {
      application_id: modal.application?.id,
      guild_id: this.guildId,
      channel_id: modal.channel_id ?? this.channelId,
      data: { id: modal.id, custom_id: modal.custom_id, components },
    });
    return this.settled(nonce, `the modal ${modal.custom_id}`);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.ws.close(1000);
  }
}

/** A component by custom_id anywhere in a message's (or modal's) component tree. */
export function findComponent(components: Json[], customId: string): Json | undefined {
  for (const c of components) {
    if (c?.custom_id === customId) return c;
    const inner = findComponent([...(c?.components ?? []), ...(c?.component ? [c.component] : [])], customId);
    if (inner) return inner;
  }
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
