// The API from an outside project's point of view: the packed tarball installed into a fresh
// folder, the example (examples/api) typechecked in strict mode against the shipped declaration
// files (no TS7016) with this project's tsc, then run with node's test runner. Needs `npm run
// build` first (npm test does it): the tarball ships dist/.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'actorpc-outside-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('an outside project that installs the packed actorpc', () => {
  it('installs the tarball, typechecks the strict example against its types and passes its post-07 test', () => {
    const timings: Record<string, number> = {};
    const time = <T>(step: string, f: () => T): T => {
      const t0 = performance.now();
      try { return f(); } finally { timings[step] = Math.round(performance.now() - t0); }
    };
    const packed = time('pack', () => JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>);
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('dist/api/index.d.ts');
    expect(files).toContain('dist/harness/index.d.ts');
    expect(files).toContain('dist/bus/device.d.ts');
    expect(files.some((f) => f.startsWith('dist/tests/'))).toBe(false);

    const example = join(ROOT, 'examples', 'api');
    const pkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
    pkg.dependencies.actorpc = `file:${join(dir, packed[0].filename)}`;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    for (const f of ['tsconfig.json', 'post-07.spec.ts']) copyFileSync(join(example, f), join(dir, f));
    time('install', () => npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir));

    const tsc = time('tsc', () => spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' }));
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const run = time('node --test', () => spawnSync(process.execPath, ['--test', 'dist/post-07.spec.js'], { cwd: dir, encoding: 'utf8', timeout: 120_000 }));
    expect(run.stdout, run.stderr).toMatch(/# pass 1/);
    expect(run.status).toBe(0);
    process.stderr.write(`outside-project timings (ms): ${JSON.stringify(timings)}\n`);
  }, 240_000);
});
