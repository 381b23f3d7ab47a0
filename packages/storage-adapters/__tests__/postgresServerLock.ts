import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_URL } from './postgresHelpers.js';

// Test files run in parallel workers, and one test of postgres.test.ts stops the shared server. A readers-writer lock
// in the file system keeps the two apart: a file using the server leaves a marker in `users/` for its whole run; the
// test that stops the server first claims `fault` (keeping new users out), then waits until no live user is left.
// Each side writes its own marker before looking at the other's, so at least one of them sees the other.

const dir = join(tmpdir(), `concord-pg-lock-${createHash('sha1').update(POSTGRES_URL).digest('hex').slice(0, 10)}`);
const users = join(dir, 'users');
const fault = join(dir, 'fault');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Markers name their process: a marker left by a process that died (a killed run) is ignored. */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

function faultHeld(): boolean {
  try {
    return alive(Number(readFileSync(fault, 'utf8')));
  } catch {
    return false;
  }
}

/** Marks the calling test file as using the server until the returned release runs; waits while it is stopped. */
export async function sharePostgresServer(): Promise<() => void> {
  mkdirSync(users, { recursive: true });
  const marker = join(users, `${process.pid}-${randomUUID()}`);
  for (;;) {
    writeFileSync(marker, '');
    if (!faultHeld()) return () => rmSync(marker, { force: true });
    rmSync(marker, { force: true });
    await sleep(100);
  }
}

/** Runs `fn`, which may stop and restart the server, once no other test file is using it. */
export async function withExclusivePostgresServer<R>(fn: () => Promise<R>): Promise<R> {
  mkdirSync(users, { recursive: true });
  for (;;) {
    try {
      writeFileSync(fault, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (existsSync(fault) && !faultHeld()) rmSync(fault, { force: true });
      else await sleep(100);
    }
  }
  try {
    while (readdirSync(users).some((name) => alive(Number(name.split('-')[0])))) await sleep(100);
    return await fn();
  } finally {
    rmSync(fault, { force: true });
  }
}
