// Boot a real machine (actors on worker threads) from a YAML file, with overrides, and collect
// its screen, trace records and result.
import { fileURLToPath } from 'node:url';
import { loadMachine } from '../../machine/config/load.js';
import type { DeviceSpec, MachineSpec } from '../../machine/config/spec.js';
import { Machine, type MachineResult, type StartOptions } from '../../machine/machine.js';
import type { TraceRecord } from '../../bus/trace.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import type { Frame } from '../../devices/vga/frame.js';
import type { QueuedInput } from '../../bus/input-ring.js';

export const configPath = (rel: string) => fileURLToPath(new URL(`../../config/${rel}`, import.meta.url));

export interface MachineRun {
  result: MachineResult;
  screen: ScreenModel;
  traces: TraceRecord[];
}

export async function runMachine(
  file: string,
  opts: StartOptions & {
    device?: (d: DeviceSpec) => DeviceSpec;
    spec?: (s: MachineSpec) => MachineSpec;
    /** Key events to queue on the keyboard once the kernel is ready (the --type handshake). */
    keys?: readonly QueuedInput[];
  } = {},
): Promise<MachineRun> {
  let spec = await loadMachine(file);
  spec = { ...spec, devices: spec.devices.map((d) => ({ ...(opts.device?.(d) ?? d), adapter: d.adapter ? 'headless' : undefined })) };
  if (opts.spec) spec = opts.spec(spec);
  const m = await Machine.start(spec, { ...opts, holdForInput: opts.keys !== undefined });
  if (opts.keys) {
    const kbd = spec.devices.find((d) => d.module === 'i8042');
    if (!kbd) throw new Error('runMachine: keys given but the machine has no i8042');
    m.ready$.subscribe(() => {
      m.input(kbd.name, opts.keys!);
      m.releaseInput();
    });
  }
  const screen = new ScreenModel();
  const traces: TraceRecord[] = [];
  m.trace$.subscribe((r) => traces.push(r));
  m.events$.subscribe((e) => { if (e.channel === 'frame') screen.apply(e.payload as Frame); });
  m.idleForever$.subscribe(() => m.stop());
  m.resets$.subscribe(() => undefined);
  const result = await m.result!;
  return { result, screen, traces };
}

export const virtual = (s: MachineSpec): MachineSpec => ({ ...s, time: { ...s.time, mode: 'virtual' } });
