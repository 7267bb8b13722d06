// Ctrl-A C in the full-screen UI: the monitor console replaces the screen (guest keys stop going
// to the guest), runs command lines, and Ctrl-A C again redraws the screen.
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalUi } from '../../machine/ui/terminal-ui.js';

describe('terminal UI monitor (Ctrl-A C)', () => {
  it('opens the monitor, runs a line, keeps keys from the guest, and returns to the screen', async () => {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    let out = '';
    const stdout = new Writable({ write(chunk, _enc, done) { out += chunk.toString(); done(); } }) as unknown as NodeJS.WriteStream;
    const guest: string[] = [];
    const lines: string[] = [];
    let redraws = 0;
    const ui = new TerminalUi({ onQuit: () => {}, onGuestKeys: (t) => guest.push(t), stdin, stdout });
    ui.setRedraw(() => redraws++);
    ui.setMonitor(async (line) => {
      lines.push(line);
      return `reply to ${line}`;
    });
    ui.start();
    (stdin as unknown as PassThrough).write('a');
    (stdin as unknown as PassThrough).write('\x01cinfo regx\x7fisters\r');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['info registers']);
    expect(out).toContain('actorpc monitor');
    expect(out).toContain('reply to info registers\r\n(actorpc) ');
    expect(guest).toEqual(['a']); // only the key typed before Ctrl-A C
    const before = redraws;
    (stdin as unknown as PassThrough).write('\x01cb');
    await new Promise((resolve) => setImmediate(resolve));
    expect(redraws).toBe(before + 1);
    expect(guest).toEqual(['a', 'b']);
    ui.restore();
  });
});
