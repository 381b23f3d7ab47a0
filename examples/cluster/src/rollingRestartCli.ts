// `npm run rolling-restart -w @concord/example-cluster [-- --port 8090]`: asks a running `node examples/cluster` (the
// balancer's port: --port, a bare number, or PORT; default 8090) to drain and restart each node in turn, and prints its
// report. Exit code 1 if a session or message was lost.
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { port: { type: 'string' } }, allowPositionals: true });
const raw = values.port ?? positionals[0] ?? process.env.PORT ?? '8090';
const port = Number(raw);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be the cluster balancer's port (1 to 65535), got "${raw}"`);
  process.exit(1);
}
let response: Response;
try {
  response = await fetch(`http://127.0.0.1:${port}/rolling-restart`, { method: 'POST' });
} catch (error) {
  console.error(`No cluster on 127.0.0.1:${port} (${(error as Error).message}). Start one with: node examples/cluster`);
  process.exit(1);
}
if (!response.ok || !response.body) {
  console.error(`${response.status} ${await response.text()}`);
  process.exit(1);
}
let text = '';
for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
  const part = Buffer.from(chunk).toString('utf8');
  text += part;
  process.stdout.write(part);
}
const summary = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as { lost?: number; error?: string };
process.exit(summary.error === undefined && summary.lost === 0 ? 0 : 1);
