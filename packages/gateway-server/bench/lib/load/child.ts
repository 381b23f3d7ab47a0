import { type ChildProcess, fork } from 'node:child_process';

/** A forked bench process spoken to over IPC: `request` sends a command and waits for the reply of the given type. */
export interface Child {
  proc: ChildProcess;
  send(message: unknown): void;
  next<T>(type: string): Promise<T>;
  request<T>(message: unknown, reply: string): Promise<T>;
  /** Asks the child to stop and waits for it to exit (killed after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Forks `file` with tsx. A child that exits unasked or reports `failed` rejects every pending and later `next()`,
 * so the orchestrator fails loudly instead of waiting for a reply that will never come.
 */
export function spawnChild(file: string, name: string, execArgv: string[] = []): Promise<Child> {
  const proc = fork(file, [], {
    execArgv: [...execArgv, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: { type: string }[] = [];
  const waiters: { type: string; resolve: (m: never) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  let stopping = false;
  const failAll = (error: Error): void => {
    failure = error;
    for (const w of waiters.splice(0)) w.reject(error);
  };
  proc.on('message', (m: { type: string; error?: string }) => {
    if (m.type === 'failed') {
      failAll(new Error(`${name} failed: ${m.error}`));
      return;
    }
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i === -1) queue.push(m);
    else waiters.splice(i, 1)[0]!.resolve(m as never);
  });
  proc.on('exit', (code, signal) => {
    if (!stopping) failAll(new Error(`${name} exited unexpectedly (code ${code}, signal ${signal})`));
  });
  const next = <T>(type: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const i = queue.findIndex((m) => m.type === type);
      if (i !== -1) resolve(queue.splice(i, 1)[0] as T);
      else waiters.push({ type, resolve: resolve as (m: never) => void, reject });
    });
  const send = (message: unknown): void => {
    if (proc.connected) proc.send(message as object);
  };
  const child: Child = {
    proc,
    send,
    next,
    request: <T>(message: unknown, reply: string) => {
      const answer = next<T>(reply);
      send(message);
      return answer;
    },
    stop: (graceMs = 10_000) => {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: 'stop' });
      });
    },
  };
  return next('alive').then(() => child);
}
