// --screenshot FILE.png and --web [PORT] on the command line.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../machine/cli/args.js';
import { UsageError } from '../../machine/cli/usage.js';

const run = (...flags: string[]) => parseCommandLine(['run', 'config/default.yaml', ...flags]);

describe('--web and --screenshot flags', () => {
  it('--web takes an optional PORT: none (or a flag after it) means a free port, 0', () => {
    expect(run('--web').web).toBe(0);
    expect(run('--web', '--headless').web).toBe(0);
    expect(run('--web', '--headless').headless).toBe(true);
    expect(run('--web', '8080').web).toBe(8080);
    expect(run('--web=8081').web).toBe(8081);
    expect(parseCommandLine(['run', '--web', 'config/default.yaml']).file).toBe('config/default.yaml');
    expect(run().web).toBeUndefined();
  });

  it('refuses a PORT out of range with the fix', () => {
    expect(() => run('--web=70000')).toThrow(UsageError);
    expect(() => run('--web=http')).toThrow(/PORT is a number from 1 to 65535/);
  });

  it('--screenshot needs a .png file name', () => {
    expect(run('--screenshot', 'out.png').screenshot).toBe('out.png');
    expect(() => run('--screenshot', 'out.jpg')).toThrow(/a screenshot is a PNG image; name the file with \.png/);
    expect(() => run('--screenshot=')).toThrow(/--screenshot needs a FILE name/);
  });

  it('neither applies to qtest', () => {
    expect(() => parseCommandLine(['qtest', 'config/pc.yaml', '--web'])).toThrow(/--web does not apply to "actorpc qtest"/);
    expect(() => parseCommandLine(['qtest', 'config/pc.yaml', '--screenshot', 'a.png'])).toThrow(/--screenshot does not apply/);
  });
});
