// deploy/: the image's build context (a dry run: this machine may have no Docker daemon) and the systemd unit (when
// systemd-analyze is installed).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

it('the Dockerfile build context has every COPY source and npm ci manifest, and no modules, builds or data', () => {
  const output = execFileSync(process.execPath, ['deploy/check-build-context.mjs'], { cwd: root, encoding: 'utf8' });
  expect(output).toMatch(/^build context: \d+ files, [\d.]+ MiB$/m);
});

it.skipIf(!hasSystemdAnalyze)('systemd-analyze verify accepts deploy/concord.service', () => {
  // verify checks that ExecStart's program exists: point it at this node, wherever it is installed here.
  const dir = mkdtempSync(join(tmpdir(), 'concord-unit-'));
  try {
    const unit = join(dir, 'concord.service');
    const text = readFileSync(join(root, 'deploy/concord.service'), 'utf8');
    expect(text).toContain('ExecStart=/usr/bin/node ');
    writeFileSync(unit, text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    const run = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
