import { readFileSync } from 'node:fs';
import type { Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';

/** Where a server's certificate chain and private key are (PEM files), and optionally its client CA bundle. */
export interface TlsFiles {
  /** The certificate chain (leaf first). */
  cert: string;
  /** Its private key (unencrypted PEM). */
  key: string;
  /** Extra CA certificates to trust, for client certificates. */
  ca?: string;
}

/** The PEM contents of `files`, checked to form a usable pair (throws otherwise), for `https.createServer`/Fastify. */
export function readTlsFiles(files: TlsFiles): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const pair = {
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ...(files.ca ? { ca: readFileSync(files.ca) } : {}),
  };
  // Throws on a key that does not match the certificate, or a file that is not PEM.
  createSecureContext(pair);
  return pair;
}

/**
 * Reads the files again and makes them the certificate of every new TLS connection (`setSecureContext`): connections
 * already open, WebSockets included, keep the one they shook hands with. A file that fails to read or a mismatched
 * pair throws and leaves the server on its current certificate.
 */
export function reloadTls(server: HttpsServer | Http2SecureServer, files: TlsFiles): void {
  server.setSecureContext(readTlsFiles(files));
}
