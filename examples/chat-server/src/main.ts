import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openStorage } from '@concord/storage-adapters/open';
import { createChatServer } from './createChatServer.js';
import { lazyVoice } from './voice.js';

// Startup time is measured from process start, so it includes module loading (drivers, esbuild).
const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const tls = env.VOICE_TLS_CERT && env.VOICE_TLS_KEY;
const voice =
  env.VOICE === 'off'
    ? undefined
    : lazyVoice({
        host,
        port: Number(env.VOICE_PORT ?? 0),
        udpPort: Number(env.VOICE_UDP_PORT ?? 0),
        ...(env.VOICE_PUBLIC_HOST ? { publicHost: env.VOICE_PUBLIC_HOST } : {}),
        ...(tls ? { tls: { cert: readFileSync(env.VOICE_TLS_CERT!), key: readFileSync(env.VOICE_TLS_KEY!) } } : {}),
      });
const perMinute = Number(env.DEV_AUTH_NEW_USERS_PER_MINUTE ?? 10);
if (!Number.isSafeInteger(perMinute) || perMinute < 1) {
  throw new Error(`DEV_AUTH_NEW_USERS_PER_MINUTE must be a positive integer, got ${env.DEV_AUTH_NEW_USERS_PER_MINUTE}`);
}

const storage = await openStorage(env.DATABASE_URL ?? './.data/chat.db', {
  ...(env.BLOB_DIR ? { blobDirectory: env.BLOB_DIR } : {}),
});
const server = await createChatServer({
  storage,
  port: Number(env.PORT ?? 8080),
  host,
  voice,
  devAuthNewUsers: { limit: perMinute, windowMs: 60_000 },
});
console.log(`[chat] storage: ${storage.kind} (${storage.location})`);
console.log(
  `[chat] DEV AUTH: any token is accepted and names its user; at most ${perMinute} new users per minute per address ` +
    '(DEV_AUTH_NEW_USERS_PER_MINUTE). Replace `authenticate` before exposing this.',
);
console.log(`[chat] ready on ${server.url} (${Math.round(performance.now())} ms)`);
voice?.start().then(
  (v) => {
    const a = v.address();
    console.log(`[chat] voice on ${tls ? 'wss' : 'ws'}://${a.host}:${a.port} (UDP ${a.udpPort})`);
  },
  (error) => console.error('[chat] voice failed to start; joining voice channels will not work:', error),
);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    console.log(`[chat] ${signal}: closing`);
    const started = performance.now();
    await server.close().then(
      () => console.log(`[chat] closed in ${Math.round(performance.now() - started)} ms`),
      (error) => console.error('[chat] close failed:', error),
    );
    process.exit();
  });
}
