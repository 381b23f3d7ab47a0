// Runs the README blocks inside the consumer project: each block as ESM (.mjs), as CommonJS (.cjs, through
// toCommonJs) and type-checked by `tsc --strict --noEmit` (module nodenext; ts blocks as .mts, js blocks as .mjs with
// checkJs). TypeScript blocks are run after their types are stripped (typescript's transpileModule). Blocks run one at a
// time (examples take fixed ports), each bounded by `blockTimeoutMs`.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { toCommonJs } from './toCommonJs.mjs';

/** A stable file stem for a block: its package and README line. */
export function blockId(block) {
  return `${basename(dirname(block.file))}-L${block.line}`;
}

/** Runs `node file` in `cwd`; resolves with its exit, output and whether the time ran out. */
function runNode(file, cwd, timeoutMs, { onOutput } = {}) {
  const child = spawn(process.execPath, [file], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let output = '';
  const append = (chunk) => {
    output += chunk;
    onOutput?.(output);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output });
    });
  });
  return { child, done, output: () => output };
}

function verdict(run, expected, { killedByUs = false } = {}) {
  if (run.timedOut) return `did not finish within the time limit`;
  if (!killedByUs && run.code !== 0) return `exited with ${run.code ?? run.signal}`;
  if (expected !== undefined && !run.output.includes(expected)) return `did not print ${JSON.stringify(expected)}`;
  return null;
}

export class BlockRunner {
  /** @param {{ project: string, blockTimeoutMs: number }} options */
  constructor({ project, blockTimeoutMs }) {
    this.project = project;
    this.dir = join(project, 'blocks');
    this.blockTimeoutMs = blockTimeoutMs;
    mkdirSync(this.dir, { recursive: true });
    this.ts = createRequire(join(project, 'package.json'))('typescript');
  }

  /** The block as an ES module, types stripped for ts blocks. */
  esm(block) {
    if (block.kind === 'js') return block.code;
    return this.ts.transpileModule(block.code, {
      compilerOptions: { module: this.ts.ModuleKind.ESNext, target: this.ts.ScriptTarget.ES2022 },
    }).outputText;
  }

  /** Writes the .mjs and .cjs forms; returns their paths by mode. */
  write(block) {
    const id = blockId(block);
    const esm = this.esm(block);
    const files = { esm: join(this.dir, `${id}.mjs`), cjs: join(this.dir, `${id}.cjs`) };
    writeFileSync(files.esm, esm);
    writeFileSync(files.cjs, toCommonJs(esm));
    return files;
  }

  /** One block alone in one mode: { ok, detail, output, ms }. */
  async runSolo(block, mode) {
    const started = Date.now();
    let files;
    try {
      files = this.write(block);
    } catch (error) {
      return { ok: false, detail: 'could not convert the block', output: String(error.message), ms: 0 };
    }
    const run = await runNode(files[mode], this.project, this.blockTimeoutMs).done;
    const problem = verdict(run, block.marker.prints);
    return { ok: !problem, detail: problem, output: run.output, ms: Date.now() - started };
  }

  /** A server block and a client block together in one mode. */
  async runPair(server, client, mode) {
    const started = Date.now();
    let printed;
    const firstOutput = new Promise((resolve) => {
      printed = resolve;
    });
    const serverRun = runNode(this.write(server)[mode], this.project, this.blockTimeoutMs, {
      onOutput: () => printed(),
    });
    const early = await Promise.race([firstOutput.then(() => null), serverRun.done]);
    let clientRun = { code: null, signal: null, timedOut: false, output: '(not started: the server ended first)' };
    if (!early) clientRun = await runNode(this.write(client)[mode], this.project, this.blockTimeoutMs).done;
    serverRun.child.kill('SIGTERM');
    const serverResult = await serverRun.done;
    const problems = [];
    const serverProblem = early ? (verdict(early, server.marker.prints) ?? 'ended before the client ran') : null;
    if (serverProblem) problems.push(`server ${serverProblem}`);
    else if (server.marker.prints !== undefined && !serverResult.output.includes(server.marker.prints)) {
      problems.push(`server did not print ${JSON.stringify(server.marker.prints)}`);
    }
    const clientProblem = early ? null : verdict(clientRun, client.marker.prints);
    if (clientProblem) problems.push(`client ${clientProblem}`);
    const output = `--- server (${blockId(server)}):\n${serverResult.output}--- client (${blockId(client)}):\n${clientRun.output}`;
    return { ok: problems.length === 0, detail: problems.join('; ') || null, output, ms: Date.now() - started };
  }

  /**
   * Type-checks every block in one tsc run (strict, nodenext, no skipLibCheck); returns block → { ok, detail, output }.
   * Error positions are given as README lines.
   */
  async typecheck(blocks) {
    const files = new Map();
    for (const block of blocks) {
      const name = `${blockId(block)}.check.${block.kind === 'ts' ? 'mts' : 'mjs'}`;
      writeFileSync(join(this.dir, name), block.code);
      files.set(name, block);
    }
    writeFileSync(
      join(this.project, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            moduleDetection: 'force',
            target: 'es2022',
            lib: ['es2022', 'dom'],
            types: ['node'],
            allowJs: true,
            checkJs: true,
            skipLibCheck: false,
          },
          files: [...files.keys()].map((name) => `blocks/${name}`),
        },
        null,
        2,
      ),
    );
    const started = Date.now();
    const tsc = join(this.project, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = await runNode(tsc, this.project, Math.max(this.blockTimeoutMs, 120_000)).done;
    const results = new Map(
      blocks.map((block) => [block, { ok: true, detail: null, output: '', ms: Date.now() - started }]),
    );
    if (run.timedOut) {
      for (const result of results.values())
        Object.assign(result, { ok: false, detail: 'tsc timed out', output: run.output });
      return { results, output: run.output };
    }
    const unattributed = [];
    let last = null; // a message's continuation lines are indented
    for (const line of run.output.split('\n')) {
      if (/^\s/.test(line) && last) {
        last.output += `${line}\n`;
        continue;
      }
      const match = /^blocks\/([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
      const block = match && files.get(match[1]);
      if (!block) {
        last = null;
        if (line.trim()) unattributed.push(line);
        continue;
      }
      last = results.get(block);
      last.ok = false;
      last.detail = 'type errors';
      last.output += `${block.file}:${block.line + Number(match[2])}:${match[3]}: ${match[4]}\n`;
    }
    // Errors inside installed packages' .d.ts (a type leak) fail every block: they break any consumer.
    if (run.code !== 0 && unattributed.length > 0) {
      for (const result of results.values()) {
        result.ok = false;
        result.detail = result.detail ?? 'type errors in the installed packages';
        result.output += `${unattributed.join('\n')}\n`;
      }
    }
    return { results, output: run.output };
  }
}
