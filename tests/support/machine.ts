// Boot a real machine (actors on worker threads) from a YAML file, with overrides, and collect
// its screen, trace records and result.
import { fileURLToPath } from 'node:url';
import { loadMachine } from '../../machine/config/load.js';
import type { DeviceSpec, MachineSpec } from '../../machine/config/spec.js';
import { Machine, type MachineResult, type StartOptions } from '../../machine/machine.js';
import type { TraceRecord } from '../../bus/trace.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import type { Frame } from '../../devices/vga/frame.js';

export const configPath = (rel: string) => fileURLToPath(new URL(`../../config/${rel}`, import.meta.url));

export interface MachineRun {
  result: MachineResult;
  screen: ScreenModel;
  traces: TraceRecord[];
}

export async function runMachine(
  file: string,
  opts: StartOptions & { device?: (d: DeviceSpec) => DeviceSpec; spec?: (s: MachineSpec) => MachineSpec } = {},
): Promise<MachineRun> {
  let spec = await loadMachine(file);
  spec = { ...spec, devices: spec.devices.map((d) => ({ ...(opts.device?.(d) ?? d), adapter: d.adapter ? 'headless' : undefined })) };
  if (opts.spec) spec = opts.spec(spec);
  const m = await Machine.start(spec, opts);
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
