// The full-screen terminal front-end: the VGA screen at the top-left, one status line under it,
// QEMU's keys (Ctrl-A X quits) and Ctrl-C twice. The terminal is restored on every exit path
// (signals are the run's: machine/cli/signals.ts stops the machine, then restore() runs).
// A resized terminal is cleared and drawn again; one smaller than the 80×26 the screen and its
// status line need shows a one-line notice instead (the machine keeps running) until it grows.

const CSI = '\x1b[';
const ENTER = `${CSI}?1049h${CSI}2J${CSI}H`;
const LEAVE = `${CSI}0m${CSI}0 q${CSI}?25h${CSI}?1049l`;
const CLEAR = `${CSI}0m${CSI}2J${CSI}H`;
const CTRL_A = 0x01;
const CTRL_C = 0x03;
/** The VGA text screen (80×25) and the status line under it. */
export const NEEDED_COLS = 80;
export const NEEDED_ROWS = 26;

export interface TerminalUiOptions {
  readonly onQuit: (why: string) => void;
  /** Everything typed that is not a UI key goes to the guest's keyboard. */
  readonly onGuestKeys?: (text: string) => void;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
}

export class TerminalUi {
  private readonly stdin: NodeJS.ReadStream;
  private readonly stdout: NodeJS.WriteStream;
  private active = false;
  private ctrlA = false;
  private lastCtrlC = 0;
  private statusText = '';
  private notice = '';
  private buffer = '';
  private flushScheduled = false;
  /** The terminal is smaller than the screen: adapters' output is dropped, a notice is shown. */
  private tooSmall = false;
  private redrawDisplay: (() => void) | undefined;
  /** Ctrl-A C: the monitor console replaces the screen until Ctrl-A C again (QEMU's keys). */
  private monitor: ((line: string) => Promise<string>) | undefined;
  private inMonitor = false;
  private monitorLine = '';
  private readonly restoreOnExit = () => this.restore();
  private readonly onResize = () => this.fit();

  /** Where adapters write: batched into one stdout write per event-loop turn. */
  readonly sink = { write: (s: string) => this.write(s) };

  constructor(private readonly options: TerminalUiOptions) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
  }

  start(): void {
    this.active = true;
    process.on('exit', this.restoreOnExit);
    this.stdout.write(ENTER);
    if (this.stdin.isTTY) this.stdin.setRawMode(true);
    this.stdin.resume();
    this.stdin.on('data', this.onKeys);
    // A TTY stream emits 'resize' on SIGWINCH.
    this.stdout.on('resize', this.onResize);
    this.tooSmall = false;
    if (this.smallerThanNeeded()) this.fit();
  }

  /** The monitor behind Ctrl-A C. */
  setMonitor(run: (line: string) => Promise<string>): void {
    this.monitor = run;
  }

  /** Why Ctrl-A C has no monitor in this run (shown when it is pressed). */
  noMonitorBecause = 'no monitor in this run';

  private toggleMonitor(): void {
    if (!this.monitor) return this.setNotice(this.noMonitorBecause);
    this.inMonitor = !this.inMonitor;
    if (!this.inMonitor) return this.fit();
    this.buffer = '';
    this.stdout.write(`${CLEAR}${CSI}?25hactorpc monitor ("help" lists commands; Ctrl-A C returns to the screen)\r\n(actorpc) `);
  }

  private monitorKey(byte: number): void {
    if (byte === 0x0d || byte === 0x0a) {
      const line = this.monitorLine;
      this.monitorLine = '';
      this.stdout.write('\r\n');
      void this.monitor!(line).then((reply) => {
        if (this.inMonitor) this.stdout.write(`${reply ? reply.replace(/\n/g, '\r\n') + '\r\n' : ''}(actorpc) `);
      });
    } else if (byte === 0x7f || byte === 0x08) {
      if (this.monitorLine) {
        this.monitorLine = this.monitorLine.slice(0, -1);
        this.stdout.write('\b \b');
      }
    } else if (byte >= 0x20 && byte < 0x7f) {
      this.monitorLine += String.fromCharCode(byte);
      this.stdout.write(String.fromCharCode(byte));
    }
  }

  /** How to draw the whole VGA screen again (the display adapter's redraw). */
  setRedraw(redraw: () => void): void {
    this.redrawDisplay = redraw;
  }

  private smallerThanNeeded(): boolean {
    const { columns, rows } = this.stdout;
    return (columns !== undefined && columns < NEEDED_COLS) || (rows !== undefined && rows < NEEDED_ROWS);
  }

  /** After a resize: clear, then the notice (too small) or the screen and status line again. */
  private fit(): void {
    if (!this.active) return;
    this.buffer = '';
    this.tooSmall = this.smallerThanNeeded();
    if (this.tooSmall) {
      const { columns = NEEDED_COLS, rows = NEEDED_ROWS } = this.stdout;
      const text = `actorpc: the terminal is ${columns}×${rows}; the screen needs ${NEEDED_COLS}×${NEEDED_ROWS}. Enlarge it (the machine keeps running; Ctrl-A X quits).`;
      this.stdout.write(`${CLEAR}${CSI}?25l${text.slice(0, Math.max(1, columns))}`);
      return;
    }
    this.stdout.write(CLEAR);
    this.redrawDisplay?.();
    this.drawStatus();
  }

  private readonly onKeys = (data: Buffer) => {
    let guest = '';
    for (const byte of data) {
      if (this.ctrlA) {
        this.ctrlA = false;
        if (byte === 0x78 || byte === 0x58) return this.options.onQuit('Ctrl-A X');
        if (byte === 0x63 || byte === 0x43) { this.toggleMonitor(); continue; }
        if (byte === 0x61 || byte === CTRL_A) guest += '\x01'; // Ctrl-A a (or Ctrl-A Ctrl-A): send Ctrl-A itself
        continue;
      }
      if (byte === CTRL_A) { this.ctrlA = true; continue; }
      if (this.inMonitor) { this.monitorKey(byte); continue; }
      if (byte === CTRL_C) {
        const now = Date.now();
        if (now - this.lastCtrlC < 2000) return this.options.onQuit('Ctrl-C twice');
        this.lastCtrlC = now;
        this.setNotice('press Ctrl-C again to quit (or Ctrl-A X)');
      }
      guest += String.fromCharCode(byte);
    }
    if (guest && this.options.onGuestKeys) this.options.onGuestKeys(guest);
  };

  private write(s: string): void {
    if (!this.active || this.tooSmall || this.inMonitor) return;
    this.buffer += s;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.active || !this.buffer) return;
    const out = this.buffer;
    this.buffer = '';
    this.stdout.write(out);
  }

  setNotice(text: string): void {
    this.notice = text;
    this.drawStatus();
  }

  /** The line under the screen (row 26): machine time, state, IRQ counts, keys. */
  status(text: string): void {
    this.statusText = text;
    this.drawStatus();
  }

  private drawStatus(): void {
    const cols = Math.max(NEEDED_COLS, Math.min(this.stdout.columns ?? NEEDED_COLS, 200));
    const text = (this.notice ? `${this.statusText} │ ${this.notice}` : this.statusText).slice(0, cols).padEnd(cols);
    // Save/restore the cursor so the VGA hardware cursor stays where the adapter put it.
    this.write(`\x1b7${CSI}${NEEDED_ROWS};1H${CSI}0;7m${text}${CSI}0m\x1b8`);
  }

  restore(): void {
    if (!this.active) return;
    this.flush();
    this.active = false;
    process.off('exit', this.restoreOnExit);
    this.stdout.off('resize', this.onResize);
    this.stdin.off('data', this.onKeys);
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
    this.stdin.pause();
    this.stdout.write(LEAVE);
  }
}
