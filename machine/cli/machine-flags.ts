// Flags that change the machine file's values: --set KEY=VALUE (any key, checked as the file is),
// --no-reboot (no_reboot: true) and --serial [UART=]stdout|FILE|none (a UART's front end).
import type { MachineFile } from '../config/schema.js';
import type { MachineSpec } from '../config/spec.js';
import { setOverrides } from '../config/overrides.js';
import type { RunArgs } from './args.js';
import { UsageError } from './usage.js';

/** The override layer of --set and --no-reboot, or undefined when there is none; the loader names "--set" in its errors. */
export function flagOverrides(args: Pick<RunArgs, 'set' | 'noReboot'>): MachineFile | undefined {
  const layer = setOverrides(args.set ?? []) as Record<string, unknown>;
  if (args.noReboot) layer.no_reboot = true;
  return Object.keys(layer).length ? (layer as MachineFile) : undefined;
}

export const FLAG_LABEL = { overridesLabel: '--set' } as const;

/**
 * --serial flags applied to the spec: `stdout` and `none` pick that front end, anything else is
 * a FILE the UART's bytes are appended to. Without UART= the flag is for the machine's first UART.
 */
export function applySerialFlags(spec: MachineSpec, flags: readonly string[]): MachineSpec {
  if (flags.length === 0) return spec;
  const uarts = spec.devices.filter((d) => d.module === 'uart16550').map((d) => d.name);
  const chosen = new Map<string, string>();
  for (const flag of flags) {
    const named = /^[A-Za-z_][\w-]*=/.test(flag);
    const device = named ? flag.slice(0, flag.indexOf('=')) : uarts[0];
    const target = named ? flag.slice(flag.indexOf('=') + 1) : flag;
    if (device === undefined) throw new UsageError(`--serial ${flag}: ${spec.name} has no serial port (add e.g. com1: { impl: uart16550 } to ${spec.file}).`);
    if (!uarts.includes(device)) {
      const what = spec.devices.some((d) => d.name === device) ? `${device} is not a serial port (uart16550)` : `${spec.name} has no device "${device}"`;
      throw new UsageError(`--serial ${flag}: ${what}. Serial ports: ${uarts.join(', ') || 'none'}; write --serial ${uarts[0] ?? 'com1'}=FILE.`);
    }
    if (chosen.has(device)) throw new UsageError(`--serial: ${device} is given twice (${chosen.get(device)} and ${target}); give one target per serial port.`);
    chosen.set(device, target);
  }
  return {
    ...spec,
    devices: spec.devices.map((d) => {
      const target = chosen.get(d.name);
      if (target === undefined) return d;
      if (target === 'none') return { ...d, adapter: undefined };
      if (target === 'stdout') return { ...d, adapter: 'stdout' };
      return { ...d, adapter: 'file', options: { ...d.options, file: target } };
    }),
  };
}
