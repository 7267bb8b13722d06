// Memory benches: an MMU translation that hits the TLB (plus the load) beside a raw DataView load,
// the cost of a TLB-miss page walk, and many_boxes (102 400 boxes) on each heap allocator.
import { VirtualClock } from '../bus/clock.js';
import { ControlBlock, Tracer } from '../bus/control.js';
import { PhysicalMemory } from '../bus/memory.js';
import { PortMap } from '../bus/ports.js';
import { BusRouter } from '../bus/router.js';
import { allocateRing } from '../bus/trace-ring.js';
import { Cpu } from '../cpu/cpu.js';
import { bindCpu } from '../cpu/isa.js';
import { Access, CR0_PG, EFER_NXE } from '../cpu/mmu.js';
import { buildPageTables } from '../firmware/bootloader.js';
import { Layout } from '../firmware/layout.js';
import { ALLOCATOR_KINDS, initAllocator } from '../kernel/allocator/index.js';
import { kernelDataImage } from '../kernel/statics.js';
import { setPanicHandler } from '../kernel/panic.js';
import { many_boxes } from '../kernel/tests/heap_allocation.js';
import { summarize, type BenchRow } from './stats.js';

function cpuRig(memoryBytes: number): Cpu {
  const memory = PhysicalMemory.allocate(memoryBytes);
  const control = ControlBlock.allocate();
  const tracer = new Tracer(control, allocateRing(1 << 12));
  const bus = new BusRouter({ portMap: new PortMap([]), claimEndpoint: [], endpoints: [], routes: [], lineLevels: new Int32Array(1) }, tracer);
  const cpu = new Cpu(memory, bus, new VirtualClock({ instruction: 1 }), control, tracer);
  bindCpu(cpu);
  for (const [at, bytes] of kernelDataImage()) memory.bytes.set(bytes, at); // the image's .data
  return cpu;
}

const ROUNDS = 25;
const N = 200_000;

export function memoryBench(): BenchRow[] {
  const cpu = cpuRig(32 << 20);
  cpu.rsp = 0x7c00;
  buildPageTables(32 << 20);
  cpu.regs.cr3 = Layout.l4Table;
  cpu.regs.cr0 = (cpu.regs.cr0 | CR0_PG) >>> 0;
  cpu.regs.efer |= EFER_NXE; // the data pages are NX
  cpu.mmu.flush();
  const view = cpu.memory.view;
  const base = Layout.kernelData; // mapped 4 KiB pages (virtual 0x300000 → physical 0x500000)
  const span = 64 * 4096;
  const hit: number[] = [];
  const raw: number[] = [];
  const miss: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) sink += view.getUint32(cpu.mmu.translate(base + ((i * 64) % span), Access.Read), true);
    hit.push(((performance.now() - t0) * 1e6) / N);
    t0 = performance.now();
    for (let i = 0; i < N; i++) sink += view.getUint32(0x500000 + ((i * 64) % span), true);
    raw.push(((performance.now() - t0) * 1e6) / N);
    t0 = performance.now();
    for (let i = 0; i < N / 20; i++) {
      const va = base + ((i * 4096) % span);
      cpu.mmu.invlpg(va);
      sink += cpu.mmu.translate(va, Access.Read);
    }
    miss.push(((performance.now() - t0) * 1e6) / (N / 20));
  }
  if (sink === -1) console.log(sink);
  const h = summarize(hit.slice(5));
  const w = summarize(raw.slice(5));
  const m = summarize(miss.slice(5));
  const rows: BenchRow[] = [
    { name: 'MMU load, TLB hit (translate + DataView)', unit: 'ns', median: h.median, p99: h.p99, baseline: { name: 'raw DataView load', median: w.median }, target: '≤ 3× baseline', met: h.median <= 3 * w.median },
    { name: 'MMU TLB miss: invlpg + 4-level walk', unit: 'ns', median: m.median, p99: m.p99, baseline: { name: 'TLB hit', median: h.median } },
  ];
  setPanicHandler((info) => { throw new Error(info); });
  for (const kind of ALLOCATOR_KINDS) {
    cpuRig(4 << 20);
    initAllocator(kind, 0x200000, 100 * 1024);
    const t0 = performance.now();
    many_boxes();
    const ms = performance.now() - t0;
    rows.push({ name: `many_boxes (102 400 boxes), ${kind} allocator`, unit: 'ms', median: ms, target: '≤ 1000 ms', met: ms <= 1000 });
  }
  return rows;
}
