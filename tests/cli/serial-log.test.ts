// adapter: file — where a serial port's bytes go: options.file, else <machine>.<device>.serial.log,
// relative to the folder actorpc runs in (two machines in one folder keep separate logs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { run, tempDirs } from './spawn.js';

const temp = tempDirs();
afterAll(() => temp.cleanup());

/** A test-suite machine (it prints its transcript on COM1) with COM1 on the file adapter. */
function suiteMachine(dir: string, name: string, com1Options = ''): string {
  const yaml = join(dir, `${name}.yaml`);
  writeFileSync(yaml, [
    `extends: ${join(ROOT, 'config', 'test.yaml')}`,
    `name: ${name}`,
    'kernel:',
    '  main: test-basic_boot',
    'devices:',
    '  com1:',
    '    adapter: file',
    ...(com1Options ? [`    options: ${com1Options}`] : []),
    '',
  ].join('\n'));
  return yaml;
}

describe('the serial file adapter', () => {
  it('defaults to <machine>.<device>.serial.log in the working folder: two machines, two logs', async () => {
    const dir = temp.make();
    const a = await run(['run', suiteMachine(dir, 'alpha'), '--timeout', '60s'], { cwd: dir });
    const b = await run(['run', suiteMachine(dir, 'beta'), '--timeout', '60s'], { cwd: dir });
    expect([a.status, b.status]).toEqual([33, 33]); // isa-debug-exit: the suite passed
    expect(readdirSync(dir).filter((f) => f.endsWith('.serial.log')).sort()).toEqual(['alpha.com1.serial.log', 'beta.com1.serial.log']);
    expect(readFileSync(join(dir, 'alpha.com1.serial.log'), 'utf8')).toContain('basic_boot::test_println...\t[ok]');
  });

  it('options.file names the log (relative to the working folder)', async () => {
    const dir = temp.make();
    const r = await run(['run', suiteMachine(dir, 'gamma', '{ file: transcript.txt }'), '--timeout', '60s'], { cwd: dir });
    expect(r.status).toBe(33);
    expect(readFileSync(join(dir, 'transcript.txt'), 'utf8')).toContain('basic_boot::test_println...\t[ok]');
    expect(readdirSync(dir).filter((f) => f.endsWith('.serial.log'))).toEqual([]);
  });

  it('an unknown key under the serial port options is a config error with the fix', async () => {
    const dir = temp.make();
    const r = await run(['check', suiteMachine(dir, 'delta', '{ fiel: x.txt }')], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fiel');
    expect(r.stderr).toContain('Did you mean "file"?');
  });
});
