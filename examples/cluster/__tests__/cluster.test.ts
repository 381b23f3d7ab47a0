// Runs the example as its README says (`node examples/cluster`, here with a rolling restart and --exit) and checks it
// reports every session moved and nothing lost.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { describe, expect, it } from 'vitest';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('..', import.meta.url)), ...args], {
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

  it('says how to start Redis when it is not there', async () => {
    const { code, output } = await run(['--redis', 'redis://127.0.0.1:1', '--port', '0']);
    expect(code).toBe(1);
    expect(output).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(output).toContain('bash .ci/services/redis.sh start');
  });
});
