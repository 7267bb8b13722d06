// SIGINT, SIGTERM and SIGHUP during a run, headless or full-screen alike: the first one stops the
// machine the ordinary way (final screen, the --log completed to its last line, the terminal
// restored) and the run exits 128 + the signal's number, as a shell reports a process the signal
// killed. A second signal while stopping exits at once (the terminal is still restored: the UI
// restores it on 'exit').
import { SIGNAL_NUMBERS } from './usage.js';

export type StopSignal = keyof typeof SIGNAL_NUMBERS;
const SIGNALS = Object.keys(SIGNAL_NUMBERS) as StopSignal[];

export class StopSignals {
  /** 128 + the number of a signal some run received (for exits that cut the stop short). */
  static status: number | undefined;
  /** The first signal received, if any. */
  received: StopSignal | undefined;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig as StopSignal);

  constructor(private readonly onStop: (sig: StopSignal) => void) {}

  install(): this {
    for (const s of SIGNALS) process.on(s, this.handler);
    return this;
  }

  uninstall(): void {
    for (const s of SIGNALS) process.off(s, this.handler);
  }

  /** 128 + the signal number when a signal stopped the run. */
  get status(): number | undefined {
    return this.received ? 128 + SIGNAL_NUMBERS[this.received] : undefined;
  }

  private onSignal(sig: StopSignal): void {
    if (this.received) process.exit(128 + SIGNAL_NUMBERS[sig]);
    this.received = sig;
    StopSignals.status = this.status;
    this.onStop(sig);
  }
}
