import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openStorage } from '@concord/storage-adapters/open';
import { type ChatServerConfig, ConfigError, readConfig, redactUrl } from './config.js';
import { type ChatServer, createChatServer } from './createChatServer.js';
import { lazyVoice } from './voice.js';
import { announceWorker, isHostWorker, joinHost, runHostPrimary, workersFromArgv } from './workers.js';

// Startup time is measured from process start, so it includes module loading (drivers, esbuild).
// Settings come from the environment (docs/configuration.md). A setting or a port the server cannot start with prints
// one line on stderr and exits 1; once the server runs, everything goes through the JSON logger (LOG_LEVEL).

/** One line on stderr, exit 1: for what stops the server from starting, where a stack trace would only hide it. */
function fail(message: string): never {
  process.stderr.write(`[chat] ${message}\n`);
  process.exit(1);
}

/** What a listen error means for the one configuring the server, or undefined for an unexpected error. */
function listenError(error: unknown, config: ChatServerConfig): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${config.port} is in use (set PORT=… to another port)`;
  if (code === 'EACCES') return `port ${config.port} needs privileges this process lacks (set PORT=… above 1023)`;
  if (code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine (set HOST=…)`;
  if (code === 'ENOTFOUND') return `HOST ${config.host} does not resolve (set HOST=…)`;
  return undefined;
}

/** openStorage with a bound: an unreachable database server must not hang startup without a word. */
async function openConfiguredStorage(config: ChatServerConfig) {
  const where = redactUrl(config.databaseUrl);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 20 s')), 20_000);
  });
  try {
    return await Promise.race([
      openStorage(config.databaseUrl, config.blobDir ? { blobDirectory: config.blobDir } : {}),
      timeout,
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return fail(`DATABASE_URL: cannot open ${where}: ${reason.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}

let config: ChatServerConfig;
try {
  config = readConfig({ ...process.env, ...workersFromArgv(process.argv) });
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

if (config.workers > 1 && !isHostWorker) await runHostPrimary(config, fail);
const voiceTls = config.voice?.tls;
const voice =
  config.voice &&
  lazyVoice({
    host: config.host,
    port: config.voice.port,
    udpPort: config.voice.udpPort,
    ...(config.voice.publicHost ? { publicHost: config.voice.publicHost } : {}),
    ...(voiceTls ? { tls: { cert: readFileSync(voiceTls.cert), key: readFileSync(voiceTls.key) } } : {}),
  });
const storage = await openConfiguredStorage(config);
let server: ChatServer;
try {
  server = await createChatServer({
    storage,
    port: config.port,
    host: config.host,
    voice,
    devAuthNewUsers: { limit: config.devAuthNewUsersPerMinute, windowMs: 60_000 },
    ...(config.tls ? { tls: config.tls } : {}),
    logger: { level: config.logLevel },
    logRequests: config.logRequests,
    metrics: config.metrics,
    ...(isHostWorker ? await joinHost() : {}),
  });
} catch (error) {
  const message = listenError(error, config);
  if (message) fail(message);
  throw error;
}
const log = server.app.log;
log.info(`storage: ${storage.kind} (${storage.location})`);
log.warn(
  `DEV AUTH: any token is accepted and names its user; at most ${config.devAuthNewUsersPerMinute} new users per minute ` +
    'per address (DEV_AUTH_NEW_USERS_PER_MINUTE). Replace `authenticate` before exposing this.',
);
log.info(`ready on ${server.url} (${Math.round(performance.now())} ms)`);
await announceWorker(server, config);
voice?.start().then(
  (v) => {
    const a = v.address();
    log.info(`voice on ${voiceTls ? 'wss' : 'ws'}://${a.host}:${a.port} (UDP ${a.udpPort})`);
  },
  (error) => log.error({ err: error }, 'voice failed to start; joining voice channels will not work'),
);

// SIGTERM (systemd, Docker, Kubernetes) and SIGINT (Ctrl-C): graceful shutdown, bounded by SHUTDOWN_TIMEOUT_MS. The
// drain takes half of it; a second signal exits at once.
let closing = false;
for (const signal of isHostWorker ? [] : (['SIGINT', 'SIGTERM'] as const)) {
  process.on(signal, async () => {
    if (closing) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    const started = performance.now();
    log.info(`${signal}: shutting down (readyz 503, gateway sessions sent op 7 Reconnect, HTTP drained)`);
    const deadline = setTimeout(() => {
      log.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms): exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    try {
      const drained = await server.shutdown(Math.floor(config.shutdownTimeoutMs / 2));
      log.info({ drained }, `closed in ${Math.round(performance.now() - started)} ms`);
      clearTimeout(deadline);
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  });
}

// SIGHUP with TLS: read TLS_CERT / TLS_KEY again (a renewed certificate); open connections keep theirs. Without TLS
// the handler is not installed, so SIGHUP keeps its default (the server ends, as when its terminal closes).
const tls = config.tls;
if (tls) {
  process.on('SIGHUP', () => {
    try {
      server.reloadTls();
      log.info(`SIGHUP: certificate reloaded from ${tls.cert}`);
    } catch (error) {
      log.error({ err: error }, 'SIGHUP: certificate reload failed; new connections keep the previous certificate');
    }
  });
}
