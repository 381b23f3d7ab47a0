import { performance } from 'node:perf_hooks';
import { createChatServer } from './createChatServer.js';
import { openStorage } from './storage.js';

// Startup time is measured from process start, so it includes module loading (tsx, drivers, esbuild).
const env = process.env;
const storage = await openStorage(env.DATABASE_URL ?? './.data/chat.db');
const server = await createChatServer({
  storage,
  port: env.PORT ? Number(env.PORT) : 8080,
  host: env.HOST ?? '127.0.0.1',
});

console.log(`[chat] storage: ${storage.kind} (${storage.location})`);
if (server.devAuth) {
  console.log('[chat] DEV AUTH: any token is accepted and names its user. Replace `authenticate` before exposing this.');
}
console.log(`[chat] ready on ${server.url} (${Math.round(performance.now())} ms)`);

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`[chat] ${signal}: closing`);
  server.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
