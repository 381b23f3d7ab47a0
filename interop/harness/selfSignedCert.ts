import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCert {
  certFile: string;
  keyFile: string;
  pem: string;
  remove(): void;
}

/**
 * A throwaway certificate for 127.0.0.1 (IP SAN), for the voice gateway: discord.py, like Discord's own clients, always
 * opens `wss://<endpoint>`, so the server runs its voice gateway with TLS (VOICE_TLS_CERT / VOICE_TLS_KEY) and the bot
 * trusts this certificate through OpenSSL's SSL_CERT_FILE, as it would trust a real one.
 */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'concord-interop-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    certFile,
    keyFile,
    pem: readFileSync(certFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
