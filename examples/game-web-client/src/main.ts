// `npm start`: the demo on http://127.0.0.1:8090 (PORT and HOST change it). Open it in two browser windows.
import { createGameWebServer } from './createGameWebServer.js';

const port = Number(process.env.PORT ?? 8090);
const server = await createGameWebServer({ host: process.env.HOST ?? '127.0.0.1', port });
process.stdout.write(`[game-web-client] ${server.url}/ (open it in two windows; arrow keys move, Ctrl-C stops)\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void server.close().then(() => process.exit(0)));
