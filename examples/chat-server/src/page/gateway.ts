// A minimal browser gateway client: Hello → Identify (or Resume), heartbeats with jitter, reconnect with backoff.
// JSON without compression keeps it small; bots use full clients (discord.js, @concord/gateway-client).

export interface GatewayOptions {
  url: string;
  token: string;
  intents: number;
  onDispatch(t: string, d: unknown): void;
  onStatus(status: 'connecting' | 'ready' | 'reconnecting…' | 'closed'): void;
}

interface Payload {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

/** Close codes after which reconnecting cannot help (bad token, bad intents…). */
const FATAL = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

export class Gateway {
  #ws: WebSocket | null = null;
  #seq: number | null = null;
  #sessionId: string | null = null;
  #resumeUrl: string | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #firstBeat: ReturnType<typeof setTimeout> | null = null;
  #acked = true;
  #attempt = 0;
  #closed = false;

  constructor(readonly options: GatewayOptions) {}

  connect(): void {
    this.options.onStatus(this.#attempt === 0 ? 'connecting' : 'reconnecting…');
    const resuming = this.#sessionId !== null;
    const base = resuming && this.#resumeUrl ? `${this.#resumeUrl.replace(/\/?$/, '/')}?v=10&encoding=json` : this.options.url;
    const ws = new WebSocket(base);
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onPayload(JSON.parse(ev.data as string) as Payload);
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#stopHeartbeat();
      if (this.#closed || FATAL.has(ev.code)) {
        this.options.onStatus('closed');
        return;
      }
      // Codes that end the session on the server: identify afresh.
      if (ev.code === 4007 || ev.code === 4009) this.#sessionId = null;
      const delay = Math.min(30_000, 500 * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  close(): void {
    this.#closed = true;
    this.#stopHeartbeat();
    this.#ws?.close(1000);
  }

  #send(op: number, d: unknown): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ op, d }));
  }

  #onPayload(p: Payload): void {
    if (p.s !== null && p.s !== undefined) this.#seq = p.s;
    switch (p.op) {
      case 10:
        this.#startHeartbeat(p.d.heartbeat_interval);
        if (this.#sessionId) this.#send(6, { token: this.options.token, session_id: this.#sessionId, seq: this.#seq });
        else this.#identify();
        break;
      case 11:
        this.#acked = true;
        break;
      case 1:
        this.#send(1, this.#seq);
        break;
      case 7:
        this.#ws?.close(4900);
        break;
      case 9:
        this.#sessionId = null;
        this.#seq = null;
        setTimeout(() => this.#identify(), 1000 + Math.random() * 4000);
        break;
      case 0:
        if (p.t === 'READY') {
          this.#sessionId = p.d.session_id;
          this.#resumeUrl = p.d.resume_gateway_url ?? null;
          this.#attempt = 0;
          this.options.onStatus('ready');
        } else if (p.t === 'RESUMED') {
          this.#attempt = 0;
          this.options.onStatus('ready');
        }
        this.options.onDispatch(p.t!, p.d);
        break;
    }
  }

  #identify(): void {
    this.#send(2, {
      token: this.options.token,
      intents: this.options.intents,
      properties: { os: navigator.platform || 'web', browser: 'concord-web', device: 'concord-web' },
      presence: { status: 'online', since: null, activities: [], afk: false },
    });
  }

  #startHeartbeat(interval: number): void {
    this.#stopHeartbeat();
    this.#acked = true;
    const beat = () => {
      // No ack since the last beat: the connection is a zombie; reconnect and resume.
      if (!this.#acked) {
        this.#ws?.close(4900);
        return;
      }
      this.#acked = false;
      this.#send(1, this.#seq);
    };
    this.#firstBeat = setTimeout(beat, interval * Math.random());
    this.#heartbeat = setInterval(beat, interval);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#firstBeat) clearTimeout(this.#firstBeat);
    this.#heartbeat = null;
    this.#firstBeat = null;
  }
}
