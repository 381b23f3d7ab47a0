import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where extracted blocks are written: inside the repository, so their bare imports resolve to the workspace packages. */
const runDir = fileURLToPath(new URL('../../.run/', import.meta.url));

/** The fenced code blocks of one language in a quickstart (docs/quickstarts/<name>.md), in document order. */
export function codeBlocks(quickstart: string, lang = 'js'): string[] {
  const text = readFileSync(`${root}docs/quickstarts/${quickstart}.md`, 'utf8');
  const fence = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(fence)].map((m) => m[1] ?? '');
}

/** Writes a block to `.run/<quickstart>-<file>` as it is in the document; returns the path. */
export function writeBlock(quickstart: string, file: string, code: string): string {
  mkdirSync(runDir, { recursive: true });
  const path = `${runDir}${quickstart}-${file}`;
  writeFileSync(path, code);
  return path;
}

export interface RunningScript {
  output(): string;
  /** Resolves once the output matches, rejects when the process exits first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (after `timeoutMs`, kills the process and rejects). */
  exited(timeoutMs?: number): Promise<number | null>;
  stop(): Promise<void>;
}

/** `node <file>` with extra environment variables, stdout and stderr collected together. */
export function runScript(file: string, env: Record<string, string>): RunningScript {
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: runDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk;
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => out,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          done();
          reject(new Error(`exited with ${code} before ${pattern}:\n${out}`));
        };
        const done = () => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    exited: (timeoutMs = 20_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`still running after ${timeoutMs} ms:\n${out}`));
          }, timeoutMs).unref(),
        ),
      ]),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
