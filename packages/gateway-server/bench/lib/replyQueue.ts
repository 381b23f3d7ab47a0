import type { ChildProcess } from 'node:child_process';

/**
 * Replies of a bench client process (bench/lib/clients.ts) by type: `next(type)` resolves with the first reply of that
 * type, received before or after the call. A `failed` reply ends the bench.
 */
export function replyQueue<Reply extends { type: string }>(proc: ChildProcess): (type: string) => Promise<Reply> {
  const queue: Reply[] = [];
  const waiters: { type: string; resolve: (r: Reply) => void }[] = [];
  proc.on('message', (m: Reply) => {
    if (m.type === 'failed') {
      console.error('client process failed:', m);
      process.exit(1);
    }
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i === -1) queue.push(m);
    else waiters.splice(i, 1)[0]!.resolve(m);
  });
  return (type: string) =>
    new Promise<Reply>((resolve) => {
      const i = queue.findIndex((m) => m.type === type);
      if (i !== -1) resolve(queue.splice(i, 1)[0]!);
      else waiters.push({ type, resolve });
    });
}
