import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors, formatConfigError, formatConfigErrors, formatKeyPath } from '../../machine/config/errors.js';

const cwd = '/work/proj';
const err = (line: number, keyPath: string, message: string, hint?: string) =>
  new ConfigError({ file: join(cwd, 'config/posts/post-03.yaml'), line, column: 5, keyPath, message, hint });

describe('formatConfigError', () => {
  it('gives one paragraph: file:line:column: key: message hint', () => {
    const e = err(14, 'devices.vga.prots', 'unknown key "prots".', 'Did you mean "ports"? Allowed keys here: impl, placement, on_crash, ports, adapter, options.');
    expect(formatConfigError(e, cwd)).toBe(
      'config/posts/post-03.yaml:14:5: devices.vga.prots: unknown key "prots". Did you mean "ports"? Allowed keys here: impl, placement, on_crash, ports, adapter, options.',
    );
  });

  it('keeps an absolute path outside the working folder, and flattens line breaks', () => {
    const e = new ConfigError({ file: '/elsewhere/m.yaml', line: 2, column: 1, keyPath: '', message: 'bad\n  thing.', hint: 'fix\nit.' });
    expect(formatConfigError(e, cwd)).toBe('/elsewhere/m.yaml:2:1: bad thing. fix it.');
  });

  it('omits the line for values without a position', () => {
    const e = new ConfigError({ file: 'command line', line: 0, column: 0, keyPath: 'memory', message: 'too big.' });
    expect(formatConfigError(e, cwd)).toBe('command line: memory: too big.');
  });

  it('lists several errors, then the count', () => {
    const errors = [err(1, 'memory', 'a.'), err(3, 'kernel.main', 'b.')];
    expect(formatConfigErrors(join(cwd, 'config/posts/post-03.yaml'), errors, cwd)).toBe(
      'config/posts/post-03.yaml:1:5: memory: a.\nconfig/posts/post-03.yaml:3:5: kernel.main: b.\n2 errors in config/posts/post-03.yaml',
    );
    expect(formatConfigErrors('x.yaml', [errors[0]], cwd)).not.toContain('errors in');
  });

  it('ConfigErrors carries the list and a printable message', () => {
    const all = new ConfigErrors(join(process.cwd(), 'm.yaml'), [err(1, 'memory', 'a.')]);
    expect(all).toBeInstanceOf(Error);
    expect(all.errors).toHaveLength(1);
    expect(all.message).toContain('memory: a.');
  });

  it('formats key paths', () => {
    expect(formatKeyPath(['devices', 'vga', 'ports', 'crtc'])).toBe('devices.vga.ports.crtc');
    expect(formatKeyPath(['wires', 2])).toBe('wires[2]');
    expect(formatKeyPath(['devices', 'pit', 'options', 'odd key'])).toBe('devices.pit.options["odd key"]');
  });
});
