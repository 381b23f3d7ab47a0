import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a throwaway self-signed P-256 certificate for 127.0.0.1 (IP SAN, CN `name`, valid one day) into `dir` as
 * `<name>.cert.pem` / `<name>.key.pem`, with the openssl command line. For tests of TLS serving and certificate reloads.
 */
export function writeSelfSignedCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
