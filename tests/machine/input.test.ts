import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../machine/cli/usage.js';
import { strokeFor, typeText } from '../../machine/input/keymap.js';
import { loadInputScript } from '../../machine/input/script.js';
import { terminalKeys } from '../../machine/input/terminal.js';

const names = (events: { key: string; down: boolean }[]) => events.map((e) => `${e.down ? '+' : '-'}${e.key}`);

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function script(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-input-'));
  temps.push(dir);
  const file = join(dir, 'keys.yaml');
  writeFileSync(file, text);
  return file;
}

describe('input adapters', () => {
  it('typed text becomes press/release per character, with Shift around capitals and symbols', () => {
    expect(names(typeText('aB!').events)).toEqual(['+A', '-A', '+LShift', '+B', '-B', '-LShift', '+LShift', '+Key1', '-Key1', '-LShift']);
    expect(typeText('é').unknown).toEqual(['é']);
  });

  it('the US layout puts backslash on the key pc-keyboard 0.7 calls Oem7, and space on Spacebar', () => {
    expect(strokeFor('\\')).toEqual({ key: 'Oem7', shift: false });
    expect(strokeFor('|')).toEqual({ key: 'Oem7', shift: true });
    expect(strokeFor(' ')).toEqual({ key: 'Spacebar', shift: false });
  });

  it('terminal escape sequences become arrows, F-keys, Home/End and Delete', () => {
    const keys = names(terminalKeys('\x1b[A\x1bOP\x1b[15~\x1b[H\x1b[3~')).filter((k) => k.startsWith('+'));
    expect(keys).toEqual(['+ArrowUp', '+F1', '+F5', '+Home', '+Delete']);
  });

  it('Ctrl-letter from the terminal is LControl held around the letter; Enter is Return', () => {
    expect(names(terminalKeys('\x03\r'))).toEqual(['+LControl', '+C', '-C', '-LControl', '+Return', '-Return']);
  });

  it('a script gives key events at absolute machine times', () => {
    const events = loadInputScript(script('- at: 1s\n  type: hi\n- at: 2s\n  key: ArrowUp\n- at: 3s\n  key: LShift\n  action: down\n'));
    expect(events.map((e) => [e.key, e.down, e.at])).toEqual([
      ['H', true, 1e9], ['H', false, 1e9 + 1e6], ['I', true, 1e9 + 2e6], ['I', false, 1e9 + 3e6],
      ['ArrowUp', true, 2e9], ['ArrowUp', false, 2e9 + 1e6], ['LShift', true, 3e9],
    ]);
  });

  it('a serial: step gives the text\'s bytes for the serial port at its machine time', () => {
    const events = loadInputScript(script('- at: 2ms\n  serial: "hi\\n"\n'));
    expect(events).toEqual([{ key: '', down: true, at: 2e6, bytes: [0x68, 0x69, 0x0a] }]);
  });

  it('script mistakes are usage errors with file:line:column and the fix', () => {
    const bad = (text: string) => {
      try {
        loadInputScript(script(text));
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('- at: 1s\n  tpye: x\n')).toMatch(/keys\.yaml:1:3: step 1: unknown key "tpye"\. Did you mean "type"\?/);
    expect(bad('- at: soon\n  type: x\n')).toMatch(/keys\.yaml:1:7: step 1, at: .*Write a machine time such as 1\.5s/);
    expect(bad('- at: 1s\n  key: ArowUp\n')).toMatch(/keys\.yaml:2:8: step 1: unknown key "ArowUp"\. Did you mean "ArrowUp"\?/);
    expect(bad('at: 1s\n')).toMatch(/an input script is a list of steps/);
  });
});
