// Run guest code (kernel modules) on a CPU in the test's own thread: memory, a bus with the
// given inline devices (none by default), virtual time. No workers.
import { VirtualClock } from '../../bus/clock.js';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { PortMap } from '../../bus/ports.js';
import { BusRouter } from '../../bus/router.js';
import { allocateRing } from '../../bus/trace-ring.js';
import { Cpu } from '../../cpu/cpu.js';
import { bindCpu } from '../../cpu/isa.js';
import { resetStatics } from '../../kernel/lazy_static.js';

export interface GuestRig {
  readonly cpu: Cpu;
  readonly memory: PhysicalMemory;
  /** Text of VGA row r as the hardware would show it (CP437 bytes as Latin-1 for ASCII tests). */
  row(r: number): string;
  cell(r: number, c: number): { char: number; attr: number };
}

export function guestRig(memoryBytes = 2 << 20): GuestRig {
  const memory = PhysicalMemory.allocate(memoryBytes);
  const control = ControlBlock.allocate();
  const tracer = new Tracer(control, allocateRing(1 << 16));
  const bus = new BusRouter({ portMap: new PortMap([]), claimEndpoint: [], endpoints: [], routes: [], lineLevels: new Int32Array(1) }, tracer);
  const cpu = new Cpu(memory, bus, new VirtualClock(1), control, tracer);
  bindCpu(cpu);
  resetStatics();
  const cell = (r: number, c: number) => {
    const v = memory.read16(0xb8000 + 2 * (r * 80 + c));
    return { char: v & 0xff, attr: v >> 8 };
  };
  return {
    cpu,
    memory,
    cell,
    row: (r) => Array.from({ length: 80 }, (_, c) => String.fromCharCode(cell(r, c).char)).join(''),
  };
}
