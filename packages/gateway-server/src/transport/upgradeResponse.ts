import * as crypto from 'node:crypto';

/** An upgrade request that is not a valid WebSocket opening handshake: answered with this HTTP status. */
export interface UpgradeRefusal {
  readonly status: 400 | 405 | 426;
  readonly message: string;
}

/**
 * What the handshake reads of an upgrade request: Node's `IncomingMessage` has it, and so does the request head the
 * gateway reads itself (UpgradeHandler.ts `takeHead`).
 */
export interface UpgradeRequest {
  readonly method?: string | undefined;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly headers: {
    readonly host?: string | undefined;
    readonly connection?: string | undefined;
    readonly 'sec-websocket-key'?: string | undefined;
    readonly 'sec-websocket-version'?: string | undefined;
  };
}

/** RFC 6455 §1.3: appended to the client's key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A base64-encoded 16-byte nonce (RFC 6455 §4.1): 22 characters and `==` (the form `ws` accepted). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * The server's side of the opening handshake (RFC 6455 §4.2.1 and §4.2.2): the request checked (GET, HTTP/1.1 or
 * later, `Connection: upgrade`, a 16-byte `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13` — any other version gets
 * 426 naming the one we speak), then the 101 response head, or why it is refused. `Upgrade: websocket` was checked by
 * the caller (serveWithoutUpgrade.ts's `wantsWebSocket`). No extension is ever accepted (the gateway never used
 * permessage-deflate: its compression is zlib-stream / zstd-stream in the payloads) and no subprotocol chosen, so the
 * response names neither.
 */
export function upgradeResponse(req: UpgradeRequest): string | UpgradeRefusal {
  if (req.method !== 'GET') return { status: 405, message: 'Invalid HTTP method' };
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return { status: 400, message: 'Invalid HTTP version' };
  }
  if (!listsToken(req.headers.connection, 'upgrade')) return { status: 400, message: 'Missing Connection: upgrade' };
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key)) {
    return { status: 400, message: 'Missing or invalid Sec-WebSocket-Key header' };
  }
  const version = req.headers['sec-websocket-version'];
  if (version !== '13') return { status: 426, message: 'Unsupported WebSocket version' };
  const accept = sha1Base64(key + GUID);
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** Whether a comma-separated header (`Connection: keep-alive, Upgrade`) lists `token` (lower-case), in any case. */
export function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  if (value.length === token.length) return value.toLowerCase() === token; // the common `Upgrade`: no split
  return value.split(',').some((part) => part.trim().toLowerCase() === token);
}

/**
 * `crypto.hash` (Node 20.12 and later): one call, no Hash object (a stream) per upgrade — about half the cost of
 * `createHash(...).update(...).digest()`. The latter where it is missing.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;
function sha1Base64(text: string): string {
  return oneShot ? oneShot('sha1', text, 'base64') : crypto.createHash('sha1').update(text).digest('base64');
}
