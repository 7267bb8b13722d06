// What actorpc says about its own command line: one clear sentence per mistake, the right status.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { run, tempDirs } from './spawn.js';

const temp = tempDirs();
afterAll(() => temp.cleanup());

const plain = (r: { stderr: string }) => {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/\.\.(\s|$)/); // no doubled full stops
};

describe('actorpc command-line messages', () => {
  it('an unknown option names it and the closest real one, status 2', async () => {
    const r = await run(['run', 'config/default.yaml', '--fro', '1s']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('actorpc: unknown option --fro; did you mean --for? Run "actorpc help" for the options.\n');
  });

  it('an unknown option with nothing close names it only', async () => {
    const r = await run(['run', 'config/default.yaml', '--zzzzzz']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('actorpc: unknown option --zzzzzz. Run "actorpc help" for the options.\n');
  });

  it('--for -1s and --for=-1s both say the duration must be more than zero', async () => {
    for (const args of [['--for', '-1s'], ['--for=-1s']]) {
      const r = await run(['run', 'config/default.yaml', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('actorpc: --for "-1s": the duration must be more than zero. Write a duration such as 5s, 250ms or 1.5s.\n');
    }
  });

  it('--until takes text that starts with a dash', async () => {
    const r = await run(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--until', '-Hello']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"-Hello" is not on the screen');
  });

  it('a bad duration is one sentence and the fix, with single full stops', async () => {
    const r = await run(['run', 'config/default.yaml', '--timeout', 'soon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('actorpc: --timeout "soon": "soon" is not a duration. Write a number followed by a unit (ns, us, ms, s, min, h), e.g. 5s or 250ms.\n');
    plain(r);
  });

  it('an --input step with a bad time: file:line:column, one full stop per sentence', async () => {
    const script = join(temp.make(), 'keys.yaml');
    writeFileSync(script, '- at: soon\n  type: x\n');
    const r = await run(['run', 'config/default.yaml', '--headless', '--input', script]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`actorpc: ${script}:1:7: step 1, at: "soon" is not a duration. Write a machine time such as 1.5s or 200ms.\n`);
    plain(r);
  });

  it('a flag without its value says so', async () => {
    const r = await run(['run', 'config/default.yaml', '--for']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('actorpc: --for needs a value, e.g. --for 5s. Run "actorpc help" for the options.\n');
  });

  it('--version and -V print the package version, status 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`actorpc ${version}\n`);
    }
  });

  it('bare actorpc prints the usage on stderr and exits 2; help prints it on stdout and exits 0', async () => {
    const bare = await run([]);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^usage: actorpc <command>/);
    const help = await run(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: actorpc <command>/);
    expect(help.stderr).toBe('');
  });

  it('--until TEXT that never appears before --for ends says why, status 1', async () => {
    const r = await run(['run', 'config/posts/post-07.yaml', '--headless', '--time', 'virtual', '--for', '100ms', '--until', 'Goodbye', '--no-stats']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('actorpc: the run ended (--for 100ms of machine time passed) before "Goodbye" appeared on the screen.\n');
  });

  it('--until TEXT when the guest exits first (isa-debug-exit) says so, status 1', async () => {
    const yaml = join(temp.make(), 'suite.yaml');
    writeFileSync(yaml, `extends: ${join(ROOT, 'config', 'test.yaml')}\nkernel:\n  main: test-basic_boot\n`);
    const r = await run(['run', yaml, '--until', 'Goodbye', '--timeout', '60s', '--no-stats']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^actorpc: the run ended \(the guest exited with status \d+ through isa-debug-exit\) before "Goodbye" appeared on the screen\.\n$/);
  });

  it('an unknown command suggests the closest', async () => {
    const r = await run(['chek', 'config/default.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "chek". Did you mean "check"?');
  });
});
