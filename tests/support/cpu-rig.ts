// A CPU in the state a kernel runs in after gdt::init() and init_idt(), for the CPU-core tests:
// a GDT with the 64-bit kernel code segment at 0x08 and a (busy) TSS at 0x10, a TSS with IST
// stacks, an IDT of 256 "missing" gates (the x86_64 crate's new()), a kernel stack, and
// optionally 4-level identity paging. Tables are raw bytes in simulated memory; handlers are
// text symbols defined with interruptHandler(). An optional test interrupt controller ("pic")
// drives cpu.intr through the real bus router.
import { defineDevice, type DeviceCore } from '../../bus/device.js';
import type { DecodedRecord } from '../../bus/trace-ring.js';
import { interruptHandler } from '../../cpu/isa.js';
import { CR0_PG, CR0_WP, CR4_PAE, EFER_NXE } from '../../cpu/mmu.js';
import { PageTableFlags as F } from '../../cpu/paging.js';
import { Descriptor } from '../../kernel/x86_64/gdt.js';
import { PageTables } from '../cpu/page-builder.js';
import { guestRig, type GuestOptions, type GuestRig } from './guest.js';

export const GDT_BASE = 0x1000;
export const TSS_BASE = 0x1100;
export const IDT_BASE = 0x2000;
export const PT_BASE = 0x10000;
/** The kernel stack: [STACK_BOTTOM, STACK_TOP), the page below it is the guard page. */
export const STACK_BOTTOM = 0x40000;
export const STACK_TOP = 0x48000;
export const GUARD_PAGE = STACK_BOTTOM - 0x1000;
/** Tops of the IST stacks the rig puts in TSS.IST1..IST3. */
export const IST_TOPS = [0x52000, 0x54000, 0x56000] as const;
/** Free memory for test data. */
export const DATA = 0x60000;

export const CODE_SEL = 0x08;
export const TSS_SEL = 0x10;
/** GDT entries (limit 8·8−1); slots 4–7 (selectors 0x20–0x38) are free for tests to fill. */
export const GDT_SLOTS = 8;

export const KERNEL_CODE = 0x00af9b000000ffffn;

/** Ports of the test interrupt controller. */
export const PIC_RAISE = 0x300; // write v: raise INTR; INTA answers v
export const PIC_ACKS = 0x300; // read: INTA cycles so far
export const PIC_LOWER = 0x301; // write: drop INTR
export const PIC_DELAY = 0x304; // 32-bit write n: raise INTR n ns from now

/**
 * A minimal interrupt controller: one vector, INTR raised on request (now or at a deadline),
 * dropped by INTA. Enough to exercise the CPU's side of the INTA cycle.
 */
export const testPic = defineDevice({
  kind: 'test-pic',
  title: 'test interrupt controller',
  regions: [{ name: 'io', size: 8, base: 0x300, widths: [1, 4] }],
  outputs: ['int'],
  create(ctx): DeviceCore {
    let vector = 0x20;
    let acks = 0;
    let due = Infinity;
    return {
      read: (_r, offset) => (offset === 0 ? acks : 0),
      write(_r, offset, _size, value) {
        if (offset === 0) {
          vector = value;
          ctx.setOutput(0, 1);
        } else if (offset === 1) {
          ctx.setOutput(0, 0);
        } else if (offset === 4) {
          due = ctx.now() + value;
        }
      },
      advance() {
        if (ctx.now() >= due) {
          due = Infinity;
          ctx.setOutput(0, 1);
        }
      },
      nextDeadline: () => due,
      acknowledge() {
        acks++;
        ctx.setOutput(0, 0);
        return vector;
      },
      snapshot: () => ({ version: 1, vector, acks, due }),
      restore() {},
    };
  },
});

/** A trace record as the tests read it: kind, source, time and the record's own fields. */
export interface TraceEvent {
  kind: string;
  src: string;
  t: number;
  fields: Record<string, unknown>;
}

/** Accepts both ring record shapes: fields nested under `fields`, or flat beside v/t/seq/kind/src. */
function traceEvent(r: DecodedRecord): TraceEvent {
  const rec = r as unknown as Record<string, unknown>;
  if (typeof rec.fields === 'object' && rec.fields !== null) return { kind: r.kind, src: r.src, t: r.t, fields: rec.fields as Record<string, unknown> };
  const { v: _v, t, seq: _seq, kind, src, ...fields } = rec;
  return { kind: kind as string, src: src as string, t: t as number, fields };
}

export interface GateOptions {
  selector?: number;
  ist?: number;
  /** 0xE interrupt gate (default), 0xF trap gate, anything else is invalid in long mode. */
  type?: number;
  dpl?: number;
  present?: boolean;
}

export interface Frame {
  rip: number;
  cs: number;
  rflags: number;
  rsp: number;
  ss: number;
}

export interface HandlerCall {
  /** The frame address the handler was given (RIP's slot). */
  frameAddr: number;
  errorCode: number;
  /** The frame as it was in memory at entry. */
  frame: Frame;
  /** CPU registers at entry. */
  rsp: number;
  rflags: number;
  cs: number;
}

export interface Handler {
  readonly addr: number;
  readonly name: string;
  readonly calls: HandlerCall[];
}

/** Thrown by a handler that must not return (`-> !`): ends the guest's run. */
export class Diverged extends Error {
  constructor(readonly by: string) {
    super(`${by} diverged`);
  }
}

export interface CpuRigOptions extends GuestOptions {
  memoryBytes?: number;
  /** Identity-map all memory with 4 KiB pages and turn paging on (CR0.PG|WP, CR4.PAE, EFER.NXE). */
  paging?: boolean;
  /** Add the test interrupt controller "pic" with pic.int -> cpu.intr. */
  pic?: boolean;
}

export interface CpuRig extends GuestRig {
  /** The page tables (paging on only). */
  readonly pt: PageTables | undefined;
  /** Write gate `vector` as raw bytes: offset split over its three fields. */
  gate(vector: number, offset: number, o?: GateOptions): void;
  /** Define a handler (it records its calls, then runs `impl`) and install it at `vector`. */
  handle(vector: number, impl?: (frameAddr: number, errorCode: number) => void, o?: GateOptions & { name?: string }): Handler;
  /** Define a handler without installing it. */
  handler(name: string, impl?: (frameAddr: number, errorCode: number) => void): Handler;
  /** The five-slot frame at `addr` (physical = virtual). */
  frame(addr: number): Frame;
  read64(addr: number): number;
  write64(addr: number, value: number): void;
  /** Clear / set PRESENT in the 4 KiB entry of `vaddr` (the rig drops the TLB entry itself). */
  unmap(vaddr: number): void;
  remap(vaddr: number): void;
  /** Trace records of `kind` (or all) since the last call. */
  traced(kind?: string): TraceEvent[];
  /** Raise INTR on the test controller with `vector`, as a device would (not a CPU instruction). */
  raise(vector: number): void;
}

let handlerSerial = 0;
/** Machine time (ns) at which a rig's CPU stops unless the test says otherwise. */
export const DEFAULT_STOP_AT = 10e9;
const MAX_CALLS = 10_000;

/** Where the rig's CPU "is" when a test starts: a kernel function's first instruction. */
const MAIN = interruptHandler('test::kernel_main', () => {});
export const MAIN_ADDR = MAIN.addr;

export function cpuRig(o: CpuRigOptions = {}): CpuRig {
  const memoryBytes = o.memoryBytes ?? 4 << 20;
  const devices = [...(o.devices ?? []), ...(o.pic ? [{ name: 'pic', module: testPic }] : [])];
  const wires = [...(o.wires ?? []), ...(o.pic ? ['pic.int -> cpu.intr'] : [])];
  // A machine-time limit by default, so a guest that would idle forever ends the test instead.
  const g = guestRig(memoryBytes, { ...o, devices, wires, tracing: o.tracing ?? true, cpu: { stopAt: DEFAULT_STOP_AT, ...o.cpu } });
  const { cpu, memory } = g;

  const write64 = (addr: number, v: number) => memory.write64(addr, BigInt(v));
  const read64 = (addr: number) => Number(memory.read64(addr));

  // GDT: null, kernel code (0x08), TSS (0x10, 16 bytes), marked busy as after `ltr`.
  memory.bytes.fill(0, GDT_BASE, GDT_BASE + 8 * GDT_SLOTS);
  memory.write64(GDT_BASE + 8, KERNEL_CODE);
  const tss = Descriptor.tss_segment(TSS_BASE);
  if (tss.kind !== 'system') throw new Error('tss_segment is a system descriptor');
  memory.write64(GDT_BASE + 16, tss.low | (0x2n << 40n)); // type 0x9 → 0xB (busy)
  memory.write64(GDT_BASE + 24, tss.high);
  cpu.gdtr.base = GDT_BASE;
  cpu.gdtr.limit = 8 * GDT_SLOTS - 1;
  cpu.cs = CODE_SEL;
  cpu.ss = 0;
  cpu.tr = TSS_SEL;
  cpu.tssBase = TSS_BASE;

  // TSS: IST1..3, no I/O bitmap.
  memory.bytes.fill(0, TSS_BASE, TSS_BASE + 104);
  IST_TOPS.forEach((top, i) => write64(TSS_BASE + 0x24 + 8 * i, top));
  memory.write16(TSS_BASE + 102, 104);

  const gate = (vector: number, offset: number, opts: GateOptions = {}) => {
    const at = IDT_BASE + vector * 16;
    const options = ((opts.ist ?? 0) & 7) | ((opts.type ?? 0xe) << 8) | ((opts.dpl ?? 0) << 13) | ((opts.present ?? true) ? 0x8000 : 0);
    memory.write16(at, offset & 0xffff);
    memory.write16(at + 2, opts.selector ?? CODE_SEL);
    memory.write16(at + 4, options);
    memory.write16(at + 6, Math.floor(offset / 0x10000) & 0xffff);
    memory.write32(at + 8, Math.floor(offset / 0x100000000) >>> 0);
    memory.write32(at + 12, 0);
  };
  // IDT: 256 missing gates (interrupt-gate type, P = 0), as InterruptDescriptorTable::new().
  for (let v = 0; v < 256; v++) gate(v, 0, { selector: 0, present: false });
  cpu.idtr.base = IDT_BASE;
  cpu.idtr.limit = 256 * 16 - 1;

  let pt: PageTables | undefined;
  if (o.paging) {
    pt = new PageTables(memory, PT_BASE, PT_BASE + 0x10000);
    for (let a = 0; a < memoryBytes; a += 0x1000) pt.map(a, a, { flags: F.PRESENT | F.WRITABLE });
    cpu.regs.cr3 = pt.cr3;
    cpu.regs.cr0 = (CR0_PG | CR0_WP | 0x11) >>> 0;
    cpu.regs.cr4 = CR4_PAE;
    cpu.regs.efer = EFER_NXE | 0x500;
    cpu.mmu.flush();
  }

  cpu.rsp = STACK_TOP;
  cpu.rip = MAIN.addr;
  cpu.rflags = 0x2;

  const frame = (addr: number): Frame => ({
    rip: read64(addr), cs: read64(addr + 8), rflags: read64(addr + 16), rsp: read64(addr + 24), ss: read64(addr + 32),
  });

  const handler = (name: string, impl?: (frameAddr: number, errorCode: number) => void): Handler => {
    const calls: HandlerCall[] = [];
    const ref = interruptHandler(name, (frameAddr: number, errorCode: number) => {
      // A fault whose handler returns restarts the instruction: a test that got this wrong loops.
      if (calls.length >= MAX_CALLS) throw new Error(`${name} entered ${MAX_CALLS} times: the guest is stuck re-faulting`);
      calls.push({ frameAddr, errorCode, frame: frame(frameAddr), rsp: cpu.rsp, rflags: cpu.rflags, cs: cpu.cs });
      impl?.(frameAddr, errorCode);
    });
    return { addr: ref.addr, name, calls };
  };

  const tables = (): PageTables => {
    if (!pt) throw new Error('paging is off in this rig');
    return pt;
  };

  return {
    ...g,
    pt,
    gate,
    handler,
    handle(vector, impl, opts = {}) {
      const h = handler(opts.name ?? `test::vector_${vector}_handler_${handlerSerial++}`, impl);
      gate(vector, h.addr, opts);
      return h;
    },
    frame,
    read64,
    write64,
    unmap(vaddr) {
      tables().edit(vaddr, 1, 0, F.PRESENT);
      cpu.mmu.invlpg(vaddr);
    },
    remap(vaddr) {
      tables().edit(vaddr, 1, F.PRESENT);
    },
    traced(kind) {
      const all = g.traces().map(traceEvent);
      return kind ? all.filter((r) => r.kind === kind) : all;
    },
    raise(vector) {
      g.rig.bus.out(PIC_RAISE, 1, vector, cpu.now());
    },
  };
}
