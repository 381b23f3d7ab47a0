import { performance } from 'node:perf_hooks';
import { createChatServer } from './createChatServer.js';
import { openStorage } from './storage.js';
import { lazyVoice } from './voice.js';

// Startup time is measured from process start, so it includes module loading (tsx, drivers, esbuild).
const env = process.env;
// Test runs only (examples/chat-server/__tests__/contractSetup.ts): every dispatch and REST answer is checked against
// Discord's shapes and violations are appended to this file. Unset, the checker is never loaded.
if (env.CONCORD_CONTRACT_CHECK) {
  const { installContractCheck } = await import('@concord/gateway-server/contract');
  installContractCheck({ file: env.CONCORD_CONTRACT_CHECK });
}
const host = env.HOST ?? '127.0.0.1';
const port = env.PORT ? Number(env.PORT) : 8080;
const voice =
  env.VOICE === 'off'
    ? undefined
    : lazyVoice({
        host,
        port: env.VOICE_PORT ? Number(env.VOICE_PORT) : 0,
        udpPort: env.VOICE_UDP_PORT ? Number(env.VOICE_UDP_PORT) : 0,
        publicHost: env.VOICE_PUBLIC_HOST,
        ...(env.VOICE_TLS_CERT && env.VOICE_TLS_KEY
          ? { tls: { certFile: env.VOICE_TLS_CERT, keyFile: env.VOICE_TLS_KEY } }
          : {}),
      });
/** DEV_AUTH_NEW_USERS_PER_MINUTE: new users dev auth may create per address and minute (default in src/devAuth.ts). */
function devAuthNewUsers(value: string | undefined) {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new Error(`DEV_AUTH_NEW_USERS_PER_MINUTE must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return { limit, windowMs: 60_000 };
}

const newUsers = devAuthNewUsers(env.DEV_AUTH_NEW_USERS_PER_MINUTE);
const storage = await openStorage(env.DATABASE_URL ?? './.data/chat.db');
const server = await createChatServer({
  storage,
  port,
  host,
  voice,
  ...(newUsers ? { devAuthNewUsers: newUsers } : {}),
});

console.log(`[chat] storage: ${storage.kind} (${storage.location})`);
if (server.devAuthNewUsers) {
  const { limit, windowMs } = server.devAuthNewUsers;
  const per = windowMs === 60_000 ? 'minute' : `${windowMs / 1000} s`;
  console.log(
    `[chat] DEV AUTH: any token is accepted and names its user; at most ${limit} new users per ${per} per address ` +
      '(DEV_AUTH_NEW_USERS_PER_MINUTE). Replace `authenticate` before exposing this.',
  );
}
console.log(`[chat] ready on ${server.url} (${Math.round(performance.now())} ms)`);
voice?.start().then(
  (v) => {
    const a = v.address();
    const scheme = env.VOICE_TLS_CERT && env.VOICE_TLS_KEY ? 'wss' : 'ws';
    console.log(`[chat] voice on ${scheme}://${a.host}:${a.port} (UDP ${a.udpPort})`);
  },
  (error) => console.error('[chat] voice failed to start; joining voice channels will not work:', error),
);

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`[chat] ${signal}: closing`);
  const started = performance.now();
  server.close().then(
    () => {
      console.log(`[chat] closed in ${Math.round(performance.now() - started)} ms`);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
