// The full-screen terminal front-end: the VGA screen at the top-left, one status line under it,
// QEMU's keys (Ctrl-A X quits) and Ctrl-C twice. The terminal is restored on every exit path.

const CSI = '\x1b[';
const ENTER = `${CSI}?1049h${CSI}2J${CSI}H`;
const LEAVE = `${CSI}0m${CSI}0 q${CSI}?25h${CSI}?1049l`;
const CTRL_A = 0x01;
const CTRL_C = 0x03;

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
  private readonly restoreOnExit = () => this.restore();
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.restore();
    this.options.onQuit(`signal ${sig}`);
  };

  /** Where adapters write: batched into one stdout write per event-loop turn. */
  readonly sink = { write: (s: string) => this.write(s) };

  constructor(private readonly options: TerminalUiOptions) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
  }

  start(): void {
    this.active = true;
    process.on('exit', this.restoreOnExit);
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, this.onSignal);
    this.stdout.write(ENTER);
    if (this.stdin.isTTY) this.stdin.setRawMode(true);
    this.stdin.resume();
    this.stdin.on('data', this.onKeys);
  }

  private readonly onKeys = (data: Buffer) => {
    let guest = '';
    for (const byte of data) {
      if (this.ctrlA) {
        this.ctrlA = false;
        if (byte === 0x78 || byte === 0x58) return this.options.onQuit('Ctrl-A X');
        if (byte === 0x61 || byte === CTRL_A) guest += '\x01'; // Ctrl-A a (or Ctrl-A Ctrl-A): send Ctrl-A itself
        continue;
      }
      if (byte === CTRL_A) { this.ctrlA = true; continue; }
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
    if (!this.active) return;
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
    const cols = Math.max(20, Math.min(this.stdout.columns ?? 80, 200));
    const text = (this.notice ? `${this.statusText} │ ${this.notice}` : this.statusText).slice(0, cols).padEnd(cols);
    // Save/restore the cursor so the VGA hardware cursor stays where the adapter put it.
    this.write(`\x1b7${CSI}26;1H${CSI}0;7m${text}${CSI}0m\x1b8`);
  }

  restore(): void {
    if (!this.active) return;
    this.flush();
    this.active = false;
    process.off('exit', this.restoreOnExit);
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(sig, this.onSignal);
    this.stdin.off('data', this.onKeys);
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
    this.stdin.pause();
    this.stdout.write(LEAVE);
  }
}
