// The image's HEALTHCHECK (and usable by hand): GET /healthz on this host's PORT, over HTTPS when TLS_CERT is set.
// Exit 0 when it answers 200, 1 otherwise. The certificate is not verified: it names the public host, not loopback.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const env = process.env;
const tls = Boolean(env.TLS_CERT);
const request = tls ? httpsRequest : httpRequest;
const req = request(
  {
    host: '127.0.0.1',
    port: Number(env.PORT ?? 8080),
    path: '/healthz',
    rejectUnauthorized: false,
    timeout: 2500,
  },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (error) => {
  console.error(`healthz: ${error.message}`);
  process.exit(1);
});
req.end();
