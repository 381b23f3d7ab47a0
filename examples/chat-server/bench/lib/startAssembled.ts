import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartedServer {
  url: string;
  pid: number;
  /** performance.now() in this process when the server was spawned (to line up the server's own timings). */
  spawnedAt?: number;
  stop(): Promise<void>;
}

/** A fresh temporary folder for the server's SQLite file; `remove()` when done with it. */
export function benchDatabase(): { url: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-'));
  return { url: `sqlite:${join(dir, 'chat.db')}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The example server as `npm start` runs it (node on the built dist/main.js, default settings, SQLite at
 * `databaseUrl`), except: no voice, and dev auth's new-user limit lifted (the bench's thousands of users may be new).
 * `nodeArgs` go before the script (`--cpu-prof`, say).
 */
export async function startAssembled(databaseUrl: string, nodeArgs: string[] = []): Promise<StartedServer> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', 'dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      VOICE: 'off',
      DEV_AUTH_NEW_USERS_PER_MINUTE: String(Number.MAX_SAFE_INTEGER),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /ready on (http:\/\/\S+?)[ "]/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  // Keep draining its output (warnings would otherwise fill the pipe and stall it); ASSEMBLED_SERVER_STDOUT=<file>
  // keeps it (what `--trace-gc` in ASSEMBLED_SERVER_ARGS prints, say).
  const keep = process.env.ASSEMBLED_SERVER_STDOUT;
  if (keep) {
    const file = createWriteStream(keep);
    file.write(out);
    child.stdout.pipe(file);
  } else child.stdout.resume();
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  return {
    url,
    pid: child.pid!,
    spawnedAt,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => resolve();
        if (child.exitCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
