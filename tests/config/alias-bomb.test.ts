// A "billion laughs" YAML (aliases of aliases, each expanding nine-fold) is refused as a config
// error at file:line:column with the fix, status 2 on the command line — not a ReferenceError.
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigErrors, loadMachine } from '../../machine/config/load.js';
import { actorpc } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'actorpc-alias-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LAUGHS = [
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
];

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('YAML alias expansion', () => {
  it('loadMachine refuses a billion-laughs file with one config error at the first alias', async () => {
    const file = write('bomb.yaml', [...LAUGHS, 'memory: 128MiB', 'kernel: { main: post-03 }', ''].join('\n'));
    const err = await loadMachine(file).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    const [e] = (err as ConfigErrors).errors;
    expect({ line: e.line, column: e.column }).toEqual({ line: 2, column: 8 });
    expect(e.message).toContain('aliases (*name) expand to too many values');
    expect(e.hint).toContain('Write the values out');
  });

  it('a file with a few ordinary aliases still loads', async () => {
    const file = write('anchors.yaml', [
      'memory: 128MiB',
      'kernel: { main: post-03 }',
      'devices:',
      '  pic1: { impl: &pic i8259, options: { role: master } }',
      '  pic2: { impl: *pic, ports: { io: 0xa0, elcr: 0x4d1 }, options: { role: slave } }',
      '',
    ].join('\n'));
    const spec = await loadMachine(file);
    expect(spec.devices.map((d) => d.name)).toEqual(['pic1', 'pic2']);
  });

  it('actorpc check on it: status 2, file:line:column, no stack', () => {
    const file = write('bomb-cli.yaml', [...LAUGHS, ''].join('\n'));
    const r = actorpc(['check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bomb-cli.yaml:2:8: the YAML aliases (*name) expand to too many values');
    expect(r.stderr).not.toMatch(/ReferenceError|\n\s+at /);
  });

  it('an --input script made of aliases of aliases: status 2 naming the script', () => {
    const file = write('bomb-input.yaml', [...LAUGHS, ''].join('\n'));
    const r = actorpc(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--input', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: the YAML cannot be read as data`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
