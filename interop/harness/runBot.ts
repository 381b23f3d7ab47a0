import { type ChildProcess, spawn } from 'node:child_process';

/** One `INTEROP <event> <json>` line printed by a bot program (the protocol every bot in interop/ follows). */
export interface BotEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: each bot prints its own fields; the tests check them one by one.
  data: any;
}

export interface BotRun {
  /** Exit code, or null when the harness killed it on timeout. */
  code: number | null;
  timedOut: boolean;
  events: BotEvent[];
  /** Everything the bot printed (stdout and stderr interleaved), for failure messages. */
  output: string;
  /** The first event of that name, or undefined. */
  find(event: string): BotEvent | undefined;
  /** One line on how the run ended: the library's own error if the bot reported one, else the last lines it printed. */
  headline(): string;
}

export interface BotCommand {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  /** Killed (SIGKILL after SIGTERM) past this; a hung library must fail the test, not hang the suite. */
  timeoutMs: number;
}

const LINE = /^INTEROP (\S+)(?: (.*))?$/;

/** Runs a bot program as a child process and collects the events it prints until it exits or times out. */
export function runBot(cmd: BotCommand): Promise<BotRun> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: BotEvent[] = [];
    let output = '';
    let pending = '';
    let timedOut = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = LINE.exec(line.trimEnd());
        if (!m) continue;
        let data: unknown = null;
        try {
          data = m[2] ? JSON.parse(m[2]) : null;
        } catch {
          data = m[2];
        }
        events.push({ event: m[1]!, data });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    }, cmd.timeoutMs);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      resolve({
        code,
        timedOut,
        events,
        output: output.length > 20_000 ? `…${output.slice(-20_000)}` : output,
        find: (event) => events.find((e) => e.event === event),
        headline: () => {
          const error = events.find((e) => e.event === 'error')?.data?.message;
          if (error) return `error: ${String(error).split('\n')[0]}`;
          // A library that retries forever logs its first failure, then the retries: the first is the cause.
          const lines = output.trim().split('\n');
          const first = lines.find((l) => /\b(ERROR|WARN|Exception|Error)\b|\b4\d{3}\b/.test(l)) ?? lines.at(-1) ?? '';
          return `${timedOut ? `timed out after ${cmd.timeoutMs} ms` : `exit ${code}`}: ${first.slice(0, 600)}`;
        },
      });
    };
    child.once('error', (err) => {
      output += `\n[harness] could not start ${cmd.command}: ${err.message}`;
      finish(-1);
    });
    child.once('exit', (code) => finish(code));
  });
}
