// The full-screen UI and terminal resizes (SIGWINCH reaches it as the TTY stream's 'resize'): the
// screen is drawn again after one; a terminal smaller than 80×26 gets a one-line notice instead
// of a clipped screen, until it grows again.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalUi } from '../../machine/ui/terminal-ui.js';
import { TerminalAdapter } from '../../devices/vga/adapters/terminal.js';

class FakeTerminal extends EventEmitter {
  written = '';
  constructor(public columns: number, public rows: number) {
    super();
  }
  write(s: string): boolean {
    this.written += s;
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  take(): string {
    const s = this.written;
    this.written = '';
    return s;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve)); // the UI batches per event-loop turn
let ui: TerminalUi | undefined;
afterEach(() => ui?.restore());

function open(columns: number, rows: number) {
  const out = new FakeTerminal(columns, rows);
  ui = new TerminalUi({ onQuit: () => {}, stdin: new PassThrough() as never, stdout: out as never });
  ui.start();
  const display = new TerminalAdapter(ui.sink);
  ui.setRedraw(() => display.redraw());
  ui.status(' test │ t=0.000s');
  return { out, display, ui };
}

describe('terminal UI resizes', () => {
  it('a resize clears the terminal and draws every screen cell and the status line again', async () => {
    const { out } = open(100, 30);
    await turn();
    out.take();
    out.resize(120, 40);
    await turn();
    const after = out.take();
    expect(after).toContain('\x1b[2J'); // cleared
    expect(after).toContain('\x1b[25;1H'); // the screen's last row, drawn again
    expect(after).toContain('\x1b[26;1H'); // the status line
    expect(after).toContain(' test │ t=0.000s');
  });

  it('a terminal smaller than 80×26 shows one notice line and no screen until it is large enough', async () => {
    const { out, display } = open(100, 30);
    await turn();
    out.take();
    out.resize(70, 20);
    await turn();
    const small = out.take();
    expect(small).toContain('actorpc: the terminal is 70×20; the screen needs 80×26. Enlarge it');
    expect(small).not.toContain('\x1b[26;1H');
    const notice = small.slice(small.lastIndexOf('\x1b[?25l') + '\x1b[?25l'.length);
    expect(notice.length).toBeLessThanOrEqual(70); // one line of the small terminal
    // While too small, frames and status updates draw nothing.
    display.redraw();
    ui!.status(' test │ t=1.000s');
    await turn();
    expect(out.take()).toBe('');
    out.resize(80, 26);
    await turn();
    const back = out.take();
    expect(back).toContain('\x1b[2J');
    expect(back).toContain('\x1b[25;1H');
    expect(back).toContain(' test │ t=1.000s');
  });

  it('starting in a terminal that is too small shows the notice at once', async () => {
    const { out } = open(60, 10);
    await turn();
    expect(out.take()).toContain('the terminal is 60×10; the screen needs 80×26');
  });
});

describe('terminal UI: Ctrl-A C without a monitor', () => {
  it('says why there is none in this run (a machine with guest threads says so)', async () => {
    const out = new FakeTerminal(100, 30);
    const stdin = new PassThrough();
    ui = new TerminalUi({ onQuit: () => {}, stdin: stdin as never, stdout: out as never });
    ui.start();
    ui.noMonitorBecause = 'no monitor: it does not yet follow the CPU onto guest-thread workers (cpu.threads)';
    await turn();
    out.take();
    stdin.write(Buffer.from([0x01, 0x63])); // Ctrl-A C
    await turn();
    await turn();
    expect(out.take()).toContain('no monitor: it does not yet follow the CPU onto guest-thread workers (cpu.threads)');
  });
});
