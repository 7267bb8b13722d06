// Run guest code (kernel modules) on a CPU in the test's own thread: memory, a bus with the
// given inline devices (none by default), virtual time. No workers.
import { VirtualClock, type TimeCosts } from '../../bus/clock.js';
import { PhysicalMemory } from '../../bus/memory.js';
import type { DecodedRecord } from '../../bus/trace-ring.js';
import { Cpu, type CpuOptions } from '../../cpu/cpu.js';
import { bindCpu } from '../../cpu/isa.js';
import { kernelDataImage } from '../../kernel/statics.js';
import { busRig, type BusRig, type RigDevice } from './bus-rig.js';

export interface GuestOptions {
  /** Inline devices on the CPU's bus (see bus-rig.ts), and wires such as "pic.int -> cpu.intr". */
  devices?: RigDevice[];
  wires?: string[];
  /** stopAt, noReboot, onIdleForever. */
  cpu?: CpuOptions;
  /** Record trace records (read them with traces()). Off by default: nobody drains the ring. */
  tracing?: boolean;
  /** Virtual time per instruction class (default: the machine's, DEFAULT_TIME_COSTS). */
  costs?: Partial<TimeCosts>;
}

export interface GuestRig {
  readonly cpu: Cpu;
  readonly memory: PhysicalMemory;
  /** The bus, its devices, control block and trace ring. */
  readonly rig: BusRig;
  /** Trace records emitted since the last call (tracing must be on). */
  traces(): DecodedRecord[];
  /** Text of VGA row r as the hardware would show it (CP437 bytes as Latin-1 for ASCII tests). */
  row(r: number): string;
  cell(r: number, c: number): { char: number; attr: number };
}

export function guestRig(memoryBytes = 4 << 20, options: GuestOptions = {}): GuestRig {
  const rig = busRig(options.devices ?? [], options.wires ?? [], PhysicalMemory.allocate(memoryBytes));
  rig.control.tracing = options.tracing ?? false;
  const memory = rig.memory;
  const cpu = new Cpu(memory, rig.bus, new VirtualClock(options.costs), rig.control, rig.tracer, options.cpu);
  rig.bus.prime(0);
  bindCpu(cpu);
  // The kernel image's .data, as the bootloader loads it (paging is off here: virtual = physical).
  for (const [at, bytes] of kernelDataImage()) if (at + bytes.length <= memory.size) memory.bytes.set(bytes, at);
  const cell = (r: number, c: number) => {
    const v = memory.read16(0xb8000 + 2 * (r * 80 + c));
    return { char: v & 0xff, attr: v >> 8 };
  };
  return {
    cpu,
    memory,
    rig,
    traces: () => rig.traces(),
    cell,
    row: (r) => Array.from({ length: 80 }, (_, c) => String.fromCharCode(cell(r, c).char)).join(''),
  };
}
