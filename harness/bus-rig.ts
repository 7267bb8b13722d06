// A bus with inline devices on the caller's thread: port I/O through the real router and shells.
// Devices are modules (yours: the default export of your module file) or built-in names ("i8259").
import { ControlBlock, Tracer } from '../bus/control.js';
import type { DeviceModule } from '../bus/device.js';
import { CPU_TARGET, type WireRoute } from '../bus/irq.js';
import { PhysicalMemory } from '../bus/memory.js';
import { PortMap, type PortClaim } from '../bus/ports.js';
import { BusRouter } from '../bus/router.js';
import { TraceRingReader, allocateRing, type DecodedRecord } from '../bus/trace-ring.js';
import { DeviceShell, InlineEndpoint } from '../machine/actors/device-shell.js';
import { debugExitOptions } from '../devices/debug-exit/options.js';
import { i8042Options } from '../devices/i8042/options.js';
import { i8254Options } from '../devices/i8254/options.js';
import { i8259Options } from '../devices/i8259/options.js';
import { uart16550Options } from '../devices/uart16550/options.js';
import { vgaOptions } from '../devices/vga/options.js';
import { debugExit } from '../devices/debug-exit/module.js';
import { i8042 } from '../devices/i8042/module.js';
import { i8254 } from '../devices/i8254/module.js';
import { i8259 } from '../devices/i8259/module.js';
import { uart16550 } from '../devices/uart16550/module.js';
import { vga } from '../devices/vga/module.js';

/** The built-in devices by their `impl:` name, as a rig device's `module`. */
export const BUILTIN_MODULES = { 'debug-exit': debugExit, i8042, i8254, i8259, uart16550, vga } as const;
export type BuiltinName = keyof typeof BUILTIN_MODULES;

const BUILTIN_OPTIONS: Record<string, { parse(v: unknown): unknown } | undefined> = {
  'debug-exit': debugExitOptions, i8042: i8042Options, i8254: i8254Options, i8259: i8259Options, uart16550: uart16550Options, vga: vgaOptions,
};

export interface RigDevice {
  name: string;
  /** A device module, or a built-in's name ("i8259", "i8254", "uart16550", ...). */
  module: DeviceModule<any> | BuiltinName;
  options?: Record<string, unknown>;
  /** region name → base (default: the region's default base) */
  ports?: Record<string, number>;
}

export interface BusRig {
  bus: BusRouter;
  control: ControlBlock;
  shells: DeviceShell[];
  lineLevels: Int32Array;
  /** The memory the devices were given (and a CPU on this bus should use). */
  memory: PhysicalMemory;
  /** The tracer the bus writes to: a CPU on this bus emits into the same ring. */
  tracer: Tracer;
  events: Array<{ device: string; channel: string; payload: unknown }>;
  /** Trace records emitted so far (drains the ring). */
  traces(): DecodedRecord[];
}

/** wires: "dev.pin -> dev.pin" with `cpu.intr` as the CPU's input. */
export function busRig(rigDevices: RigDevice[], wires: string[] = [], memory = PhysicalMemory.allocate(1 << 20)): BusRig {
  const devices = rigDevices.map((d) => ({ ...d, module: moduleOf(d.module) }));
  const control = ControlBlock.allocate();
  control.tracing = true;
  const ring = allocateRing(1 << 20);
  const tracer = new Tracer(control, ring);
  const reader = new TraceRingReader(ring);
  const events: BusRig['events'] = [];
  // Options reach create() parsed by the module's schema, as the machine's config loader does
  // (a built-in's schema lives beside its module, in options.ts).
  const parsed = (d: RigDevice & { module: DeviceModule<any> }) => {
    const schema = d.module.options ?? BUILTIN_OPTIONS[d.module.kind];
    return (schema ? schema.parse(d.options ?? {}) : d.options ?? {}) as Record<string, unknown>;
  };
  const shells = devices.map((d) => new DeviceShell(d.name, d.module, parsed(d), memory, tracer, (device, channel, payload) => events.push({ device, channel, payload })));
  const claims: PortClaim[] = [];
  const claimEndpoint: number[] = [];
  devices.forEach((d, ep) =>
    d.module.regions.forEach((r, regionIndex) => {
      claims.push({ device: d.name, region: r.name, regionIndex, base: d.ports?.[r.name] ?? r.base, size: r.size, widths: r.widths ?? [1], names: r.names });
      claimEndpoint.push(ep);
    }),
  );
  const index = new Map(devices.map((d, i) => [d.name, i]));
  const routes: WireRoute[][][] = devices.map(() => []);
  wires.forEach((w, line) => {
    const [from, to] = w.split('->').map((s) => s.trim().split('.'));
    const fromEp = index.get(from[0])!;
    const outPin = devices[fromEp].module.outputs!.indexOf(from[1]);
    const toDevice = to[0] === 'cpu' ? CPU_TARGET : index.get(to[0])!;
    const toPin = toDevice === CPU_TARGET ? 0 : devices[toDevice].module.inputs!.indexOf(to[1]);
    (routes[fromEp][outPin] ??= []).push({ line, name: w, input: `${to[0]}.${to[1]}`, toDevice, toPin });
  });
  const lineLevels = new Int32Array(Math.max(1, wires.length));
  // Memory-mapped regions at their default bases, and the APIC bus (bus/mmio.ts, bus/apic-bus.ts).
  const mmio = devices.flatMap((d, endpoint) =>
    (d.module.mmio ?? []).map((r, i) => ({ device: d.name, region: r.name, regionIndex: d.module.regions.length + i, base: r.base, size: r.size, widths: r.widths ?? [4 as const], names: r.names, endpoint })),
  );
  const apicBus = devices.flatMap((d, ep) => (d.module.apicBus ? [ep] : []));
  const bus = new BusRouter({ portMap: new PortMap(claims), claimEndpoint, endpoints: shells.map((s) => new InlineEndpoint(s)), routes, lineLevels, mmio, apicBus, watch: control.i32 }, tracer);
  return {
    bus, control, shells, lineLevels, memory, tracer, events,
    traces() {
      const out: DecodedRecord[] = [];
      reader.drain(out);
      return out;
    },
  };
}

function moduleOf(m: DeviceModule<any> | BuiltinName): DeviceModule<any> {
  if (typeof m !== 'string') return m;
  const found = BUILTIN_MODULES[m];
  if (!found) throw new Error(`busRig: no built-in device "${m}" (built-ins: ${Object.keys(BUILTIN_MODULES).join(', ')})`);
  return found;
}
