import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A bench helper process spoken to in JSON lines (stdin/stdout); its stderr goes to ours. */
export class JsonLineChild {
  readonly #child;
  readonly #waiting: ((message: Record<string, unknown>) => void)[] = [];
  readonly #queued: Record<string, unknown>[] = [];

  public constructor(script: URL, args: string[] = [], nodeArgs: string[] = []) {
    this.#child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script.pathname, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#queued.push(message);
    });
  }

  /** The next message it prints. */
  public next(): Promise<Record<string, unknown>> {
    const queued = this.#queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Sends a command and resolves with the answer. */
  public ask(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    return this.next();
  }

  public async exit(): Promise<void> {
    this.#child.stdin.write(`${JSON.stringify({ type: 'exit' })}\n`);
    await new Promise((resolve) => this.#child.once('exit', resolve));
  }
}
