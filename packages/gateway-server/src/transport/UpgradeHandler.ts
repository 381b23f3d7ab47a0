import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import type { CompressionLabel } from '../types.js';
import { type EncodedControl, prepareControl } from '../wire/emptyControls.js';
import {
  CloseCode,
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  type Encoding,
  GATEWAY_VERSION,
  GatewayQueryError,
  getEncoding,
  parseGatewayQuery,
  zstdAvailable,
} from '../wire/protocol.js';
import { Connection, type ConnectionHost, type FrameCompressor } from './Connection.js';
import type { GatewaySocket } from './GatewaySocket.js';
import { gatewaySocketClass, type SocketEvents } from './gatewaySocketClass.js';
import type { RequestHead } from './readRequestHead.js';
import { serveWithoutUpgrade, wantsWebSocket } from './serveWithoutUpgrade.js';
import { dropClearedIdleTimer, peerAddressOf } from './socketInternals.js';
import { listsToken, type UpgradeRefusal, type UpgradeRequest, upgradeResponse } from './upgradeResponse.js';

const ZLIB_ONLY = ['zlib-stream'] as const;
const ZLIB_AND_ZSTD = ['zlib-stream', 'zstd-stream'] as const;
/** Connect URLs whose parse is kept (see `#parseQuery`); past this many the memo starts over. */
const QUERY_MEMO_SIZE = 32;

/** What a connect URL asked for, parsed once per distinct URL. */
interface ParsedQuery {
  readonly encoding: Encoding;
  readonly compression: CompressionLabel;
  readonly version: number;
  /** `v` missing or unsupported: the socket is opened and closed with 4012, as Discord does. */
  readonly versionError: boolean;
}

/** What the upgrade handling needs from the server. */
export interface UpgradeContext extends SocketEvents {
  readonly http: HttpServer | HttpsServer;
  /** The server created `http` itself (it then answers any path; attached, other listeners may own other paths). */
  readonly ownsHttp: boolean;
  /** Only upgrade requests on this path (undefined: any). */
  readonly path: string | undefined;
  readonly zlibStream: 'shared' | 'per-connection';
  readonly zlibLevel: number;
  readonly heartbeatInterval: number;
  readonly host: ConnectionHost<LiveSession>;
  /** False once the server is closed or draining: upgrades get HTTP 503. */
  accepting(): boolean;
  /** `host:port` for the resume URL when the request had no Host header. */
  hostFallback(): string;
  opened(connection: LiveConnection): void;
}

/**
 * HTTP upgrades to gateway WebSockets: the path, the query (`v`, `encoding`, `compress`), then a {@link Connection}
 * with its compressor, wired to the server and greeted with op 10 Hello. Requests asking for another protocol are
 * served as plain HTTP (see serveWithoutUpgrade.ts).
 */
export class UpgradeHandler {
  readonly #context: UpgradeContext;
  /** The class of this server's sockets: their messages, close and errors go to the context (gatewaySocketClass.ts). */
  readonly #socketClass: new (
    socket: Duplex,
  ) => GatewaySocket;
  /**
   * Parsed connect URLs: nearly every client of a server sends the same one (`/?v=10&encoding=json`), and
   * URLSearchParams per upgrade was ~5 µs of each.
   */
  readonly #queries = new Map<string, ParsedQuery>();
  /** The connect URL last found in `#queries`, and its parse. */
  #lastUrl: string | undefined;
  #lastQuery: ParsedQuery | undefined;
  /** Hello per encoding, encoded once: its only field, the heartbeat interval, is the server's. */
  readonly #hellos = new Map<Encoding, EncodedControl>();
  /** The Hello last sent: the next connection nearly always has the same encoding (no lookup then). */
  #lastHello: { encoding: Encoding; hello: EncodedControl } | undefined;

  constructor(context: UpgradeContext) {
    this.#context = context;
    this.#socketClass = gatewaySocketClass(context);
  }

  /** The `upgrade` listener of the HTTP server. */
  readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const context = this.#context;
    const url = req.url ?? '/';
    const ours = this.#ours(url);
    if (!wantsWebSocket(req.headers.upgrade)) {
      // `Upgrade: h2c` and the like: an ordinary HTTP/1.1 request for the request handlers (issue #13). Left to the
      // other upgrade listeners when it is not on our path and there are some.
      if (ours || context.http.listenerCount('upgrade') === 1) {
        serveWithoutUpgrade(context.http as HttpServer, req, socket, head);
      }
      return;
    }
    if (!ours) {
      // Attached to someone else's server: another upgrade listener may own this path.
      if (context.ownsHttp) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!this.#upgrade(req, url, socket, head)) return;
    // As `ws` set up its sockets: no idle timeout (the gateway's heartbeat is the liveness check), and the server's
    // idle timer, now off, not kept for the connection's life (socketInternals.ts). Absent on a plain Duplex.
    (socket as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
    dropClearedIdleTimer(socket);
  };

  /**
   * A request head the gateway read itself (UpgradeDemux.ts, before Node's HTTP parser): taken (upgraded, or refused
   * with its HTTP status) when it is a WebSocket upgrade on our path, in the one form every client sends — GET,
   * HTTP/1.1, each field the handshake reads sent once, no body. Anything else is left to the HTTP server (false),
   * whose parser and 'upgrade' event then bring it to {@link listener} if it is an upgrade after all: one behaviour
   * for both paths, and the rare forms are judged by Node as before.
   */
  readonly takeHead = (head: RequestHead, socket: Socket, rest: Buffer): boolean => {
    if (head.method !== 'GET' || head.versionMinor !== 1) return false;
    const url = head.target;
    if (url.charCodeAt(0) !== 0x2f || !this.#ours(url)) return false;
    const fields = head.fields;
    let host: string | undefined;
    let connection: string | undefined;
    let upgrade: string | undefined;
    let key: string | undefined;
    let version: string | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      const value = fields[i + 1];
      switch (fields[i]) {
        case 'host':
          if (host !== undefined) return false;
          host = value;
          break;
        case 'connection':
          if (connection !== undefined) return false;
          connection = value;
          break;
        case 'upgrade':
          if (upgrade !== undefined) return false;
          upgrade = value;
          break;
        case 'sec-websocket-key':
          if (key !== undefined) return false;
          key = value;
          break;
        case 'sec-websocket-version':
          if (version !== undefined) return false;
          version = value;
          break;
        case 'content-length':
        case 'transfer-encoding':
          return false;
      }
    }
    // Without `Connection: upgrade` Node's parser sees no upgrade, and the request handlers answer it: so do they here.
    if (!wantsWebSocket(upgrade) || !listsToken(connection, 'upgrade')) return false;
    const request: UpgradeRequest = {
      method: 'GET',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      headers: { host, connection, 'sec-websocket-key': key, 'sec-websocket-version': version },
    };
    // Never given an idle timer (the HTTP server's listener never saw it): none to turn off.
    this.#upgrade(request, url, socket, rest);
    return true;
  };

  /** Whether `url` is on the gateway's path: the part before any `?` (found without splitting the URL). */
  #ours(url: string): boolean {
    const path = this.#context.path;
    return (
      path === undefined ||
      (url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 0x3f))
    );
  }

  /** A WebSocket upgrade on our path: refused with its HTTP status, or answered with 101 and Hello (true). */
  #upgrade(req: UpgradeRequest, url: string, socket: Duplex, head: Buffer): boolean {
    const context = this.#context;
    if (!context.accepting()) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return false;
    }
    const query = this.#parseQuery(url);
    if (typeof query === 'string') {
      rejectUpgrade(socket, 400, query);
      return false;
    }
    const response = upgradeResponse(req);
    if (typeof response !== 'string') {
      rejectUpgrade(socket, response.status, response.message);
      return false;
    }
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return false;
    }
    // The 101 response and Hello leave in one write (one syscall and one wake-up of the client instead of two): one
    // buffer when Hello goes to the socket as it is (`#open`), else corked.
    const plain = query.compression === 'none' && !query.versionError;
    if (plain) {
      this.#open(socket, head, req.headers.host, query, response);
      return true;
    }
    socket.cork();
    try {
      socket.write(response, 'latin1');
      this.#open(socket, head, req.headers.host, query, undefined);
    } finally {
      socket.uncork();
    }
    return true;
  }

  /** The connect URL's query, or why the upgrade is refused (HTTP 400). */
  #parseQuery(url: string): ParsedQuery | string {
    // The URL before it first (nearly every client of a server sends the same one): no hash of the new copy, no lookup.
    if (url === this.#lastUrl) return this.#lastQuery!;
    const known = this.#queries.get(url);
    if (known !== undefined) {
      this.#lastUrl = url;
      this.#lastQuery = known;
      return known;
    }
    let parsed: ParsedQuery;
    try {
      // zstd-stream needs a zstd streaming context per connection (node:zlib's, or zstd-napi's on Node 20): without
      // one we refuse it at the upgrade (HTTP 400), like an unknown encoding, rather than accept a connection we
      // cannot serve.
      const query = parseGatewayQuery(url, { compressions: zstdAvailable() ? ZLIB_AND_ZSTD : ZLIB_ONLY });
      parsed = {
        encoding: getEncoding(query.encoding),
        compression: query.compress ?? 'none',
        version: query.version,
        versionError: false,
      };
    } catch (error) {
      if (!(error instanceof GatewayQueryError && error.closeCode !== null)) {
        return error instanceof Error ? error.message : 'bad request';
      }
      parsed = { encoding: getEncoding('json'), compression: 'none', version: GATEWAY_VERSION, versionError: true };
    }
    // Refusals are not kept: a stream of distinct bad URLs would only churn the memo.
    if (this.#queries.size >= QUERY_MEMO_SIZE) this.#queries.clear();
    this.#queries.set(url, parsed);
    return parsed;
  }

  #hello(encoding: Encoding): EncodedControl {
    const last = this.#lastHello;
    if (last !== undefined && last.encoding === encoding) return last.hello;
    let hello = this.#hellos.get(encoding);
    if (hello === undefined) {
      hello = prepareControl(encoding, 10, { heartbeat_interval: this.#context.heartbeatInterval });
      this.#hellos.set(encoding, hello);
    }
    this.#lastHello = { encoding, hello };
    return hello;
  }

  /** The connection over the upgraded socket, greeted with Hello; `response` (the 101) goes in front of it if given. */
  #open(
    socket: Duplex,
    head: Buffer,
    host: string | undefined,
    query: ParsedQuery,
    response: string | undefined,
  ): void {
    const context = this.#context;
    const ws = new this.#socketClass(socket);
    // As `ws` set up its sockets: frames leave at once (Nagle would hold a small frame back until the previous one is
    // acknowledged). Absent on a plain Duplex.
    (socket as Duplex & { setNoDelay?: () => void }).setNoDelay?.();
    if (query.versionError) {
      ws.attach(head);
      ws.close(CloseCode.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    const { encoding, compression, version } = query;
    const shared = compression === 'zlib-stream' && context.zlibStream !== 'per-connection';
    let compressor: FrameCompressor | null = null;
    if (compression === 'zlib-stream' && !shared) compressor = createZlibStreamDeflater({ level: context.zlibLevel });
    // One zstd stream per connection, each message a flushed block (ZSTD_e_flush), as Discord sends zstd-stream.
    if (compression === 'zstd-stream') compressor = createZstdStreamDeflater();
    const connection: LiveConnection = new Connection<LiveSession>({
      ws,
      encoding,
      compression,
      version,
      compressor,
      sharedZlib: shared,
      host: context.host,
      origin: host ?? context.hostFallback(),
      // Read without Node keeping `_peername` on the socket for its life (socketInternals.ts).
      remoteAddress: peerAddressOf(socket),
      now: Date.now(),
    });
    ws.connection = connection;
    context.opened(connection);
    const hello = this.#hello(encoding);
    connection.sendEncodedControl(hello.payload, hello.wsFrame, response);
    // Frames the client sent with its request are read after Hello went out, as they would have arrived.
    ws.attach(head);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

function rejectUpgrade(socket: Duplex, status: UpgradeRefusal['status'] | 404 | 503, message: string): void {
  // Nobody else listens to the socket any more: a reset while the answer goes out must not be thrown.
  socket.on('error', ignoreError);
  const body = `${message}\n`;
  // 426 names the version we speak (RFC 6455 §4.4); 405 the method we take.
  const extra = status === 426 ? 'Sec-WebSocket-Version: 13\r\n' : status === 405 ? 'Allow: GET\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\n${extra}` +
      `Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function ignoreError(): void {}
