// Runs the example as its README says (`node examples/cluster`, here with a rolling restart and --exit) and checks it
// reports every session moved and nothing lost.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { describe, expect, it } from 'vitest';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

/** Whether `port` can be listened on at 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port p with p and p + 1 free (for two nodes on consecutive ports). */
async function twoFreePorts(): Promise<number> {
  for (let port = 20_000 + Math.floor(Math.random() * 20_000); ; port += 2) {
    if ((await isFree(port)) && (await isFree(port + 1))) return port;
  }
}

function run(
  args: string[],
  env: Record<string, string> = {},
  script = '..',
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe('node examples/cluster', () => {
  it.skipIf(!redisUp)(
    'drains and restarts every node under traffic without losing a session or a message',
    async () => {
      const { code, output } = await run([
        '--nodes',
        '2',
        '--clients',
        '12',
        '--rate',
        '100',
        '--port',
        '0',
        '--rolling-restart',
        '--exit',
      ]);
      expect(output).toMatch(/node-1: drained \d+ sessions .* lost 0, messages missing 0, duplicated 0/);
      expect(output).toMatch(/node-2: drained 12 sessions .* moved 12, lost 0, messages missing 0, duplicated 0/);
      expect(output).toMatch(
        /rolling restart done: \d+ sessions moved, 0 lost, 0 messages missing, 0 duplicated, all clients caught up: true → OK/,
      );
      expect(code).toBe(0);
    },
  );

  it.skipIf(!redisUp)(
    'puts the nodes on --node-port and the next ports (replacements too) and prints the port it really got',
    async () => {
      const nodePort = await twoFreePorts();
      const { code, output } = await run(
        ['--nodes', '2', '--clients', '4', '--rate', '50', '--port', '0', '--rolling-restart', '--exit'],
        { NODE_PORT: String(nodePort) },
      );
      expect(output).toContain(`nodes: node-1 ws://127.0.0.1:${nodePort}, node-2 ws://127.0.0.1:${nodePort + 1}`);
      const balancer = /balancer: ws:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      expect(balancer).toBeDefined();
      expect(output).toContain(`npm run rolling-restart -w @concord/example-cluster -- --port ${balancer} `);
      expect(output).toContain(`(or POST http://127.0.0.1:${balancer}/rolling-restart)`);
      expect(output).toMatch(/rolling restart done: .* → OK/);
      expect(code).toBe(0);
    },
  );

  it('refuses a port that is not one, in one line', async () => {
    const { code, output } = await run(['--node-port', 'ninety']);
    expect(code).toBe(1);
    expect(output).toBe(
      '[cluster] --node-port / NODE_PORT must be a port from 0 to 65535 (0 = any free port), got "ninety"\n',
    );
  });

  it('rolling-restart asks the balancer on the --port it is given', async () => {
    const port = await twoFreePorts();
    const { code, output } = await run(['--port', String(port)], {}, '../rolling-restart.js');
    expect(code).toBe(1);
    expect(output).toContain(`No cluster on 127.0.0.1:${port}`);
  });

  it('says how to start Redis when it is not there', async () => {
    const { code, output } = await run(['--redis', 'redis://127.0.0.1:1', '--port', '0']);
    expect(code).toBe(1);
    expect(output).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(output).toContain('bash .ci/services/redis.sh start');
  });
});
