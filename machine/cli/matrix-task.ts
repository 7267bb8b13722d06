// One machine run of `actorpc matrix` (and of `actorpc test`): a piscina task. The worker thread
// starts the machine (whose own actors are threads of their own), waits for its end, and answers
// with a summary: how it ended, a digest of its final screen, interrupts taken per vector.
import { createHash } from 'node:crypto';
import type { Frame } from '../../devices/vga/frame.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import { loadMachine } from '../config/load.js';
import type { MachineFile } from '../config/schema.js';
import { Machine } from '../machine.js';

export interface MachineRunTask {
  readonly file: string;
  /** Machine time at which it stops (ns). */
  readonly stopAt: number;
  readonly stopReason: 'for' | 'timeout';
  readonly time?: 'realtime' | 'virtual';
  readonly overrides?: MachineFile;
  /** Keep the bytes the UARTs transmit (actorpc test prints the transcript). */
  readonly serial?: boolean;
}

export interface MachineRunSummary {
  readonly file: string;
  readonly name: string;
  readonly reason: string;
  readonly status: number;
  /** Machine time at the end (ns). */
  readonly t: number;
  /** sha256 of the final screen text, first 12 hex digits ("-" without a display). */
  readonly screen: string;
  /** Interrupts delivered, by vector. */
  readonly irqs: Readonly<Record<number, number>>;
  readonly serial: string;
  readonly crash?: string;
}

export default async function runMachine(task: MachineRunTask): Promise<MachineRunSummary> {
  let spec = await loadMachine(task.file, task.overrides, { overridesLabel: '--set' });
  spec = {
    ...spec,
    time: task.time ? { ...spec.time, mode: task.time } : spec.time,
    devices: spec.devices.map((d) => (d.adapter ? { ...d, adapter: d.module === 'uart16550' ? 'capture' : 'headless' } : d)),
  };
  const m = await Machine.start(spec, { stopAt: task.stopAt, stopReason: task.stopReason });
  const screen = new ScreenModel();
  let display = false;
  const bytes: number[] = [];
  m.events$.subscribe((e) => {
    if (e.channel === 'frame') {
      display = true;
      screen.apply(e.payload as Frame);
    } else if (e.channel === 'tx' && task.serial) bytes.push(e.payload as number);
  });
  m.idleForever$.subscribe(() => m.stop());
  m.resets$.subscribe(() => undefined);
  const r = await m.result!;
  const irqs: Record<number, number> = {};
  m.control.vectorCounts.forEach((n, v) => { if (n > 0) irqs[v] = n; });
  return {
    file: task.file, name: spec.name, reason: r.reason, status: r.status, t: m.control.now,
    screen: display ? createHash('sha256').update(screen.text()).digest('hex').slice(0, 12) : '-',
    irqs, serial: new TextDecoder().decode(Uint8Array.from(bytes)),
    ...(r.crash ? { crash: `${r.crash.actor}: ${r.crash.error}` } : {}),
  };
}
