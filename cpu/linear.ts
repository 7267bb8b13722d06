// Linear (virtual) memory as the CPU sees it: translation through the MMU, page-crossing accesses
// split into bytes, and physical addresses above RAM routed to MMIO on the bus. The guest's
// accesses deliver their faults (and retry when the handler returns); the CPU's own accesses
// (IDT, GDT, TSS, interrupt frames) throw them to the delivery logic instead.
import type { AccessSize } from '../bus/device.js';
import type { MachineClock } from '../bus/clock.js';
import type { PhysicalMemory } from '../bus/memory.js';
import type { CpuBus } from '../bus/cpu-bus.js';
import { Access, type Mmu } from './mmu.js';

export class LinearMemory {
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly mmu: Mmu,
    private readonly bus: CpuBus,
    private readonly clock: MachineClock,
    /** Delivers a fault raised by a guest access (the CPU's exception path); returns if its handler does. */
    private readonly deliverFault: (err: unknown) => void,
  ) {}

  /** Translate for the guest: a fault is delivered now, and the access retried if its handler returns. */
  translate(addr: number, access: Access): number {
    for (;;) {
      try {
        return this.mmu.translate(addr, access);
      } catch (err) {
        this.deliverFault(err);
      }
    }
  }

  read(addr: number, size: number, access: Access): number {
    if ((addr & 0xfff) + size > 0x1000) return this.readSplit(addr, size);
    const pa = this.translate(addr, access);
    if (pa < 0 || pa + size > this.memory.size) return this.bus.mmioRead(pa, size as AccessSize, this.clock.now()); // above RAM: MMIO or nothing
    const view = this.memory.view;
    return size === 1 ? this.memory.bytes[pa] : size === 2 ? view.getUint16(pa, true) : view.getUint32(pa, true);
  }

  write(addr: number, size: number, value: number): void {
    if ((addr & 0xfff) + size > 0x1000) {
      this.checkWritable(addr, size);
      for (let i = 0; i < size; i++) this.write(addr + i, 1, Math.floor(value / 2 ** (8 * i)) & 0xff);
      return;
    }
    const pa = this.translate(addr, Access.Write);
    if (pa < 0 || pa + size > this.memory.size) return this.bus.mmioWrite(pa, size as AccessSize, value >>> 0, this.clock.now()); // above RAM: MMIO or nowhere
    const view = this.memory.view;
    if (size === 1) this.memory.bytes[pa] = value;
    else if (size === 2) view.setUint16(pa, value, true);
    else view.setUint32(pa, value >>> 0, true);
  }

  private readSplit(addr: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v += this.read(addr + i, 1, Access.Read) * 2 ** (8 * i);
    return v;
  }

  /** Both pages of a page-crossing write must be writable before any byte is written. */
  checkWritable(addr: number, size: number): void {
    this.translate(addr, Access.Write);
    this.translate(addr + size - 1, Access.Write);
  }

  /** Reads and writes the CPU itself makes (IDT, GDT, TSS, frames): implicit supervisor accesses, faults thrown. */
  sysRead32(addr: number): number {
    const pa = this.mmu.translateSystem(addr, Access.Read);
    return pa >= 0 && pa + 4 <= this.memory.size ? this.memory.view.getUint32(pa, true) : 0xffffffff;
  }

  sysWrite32(addr: number, value: number): void {
    const pa = this.mmu.translateSystem(addr, Access.Write);
    if (pa >= 0 && pa + 4 <= this.memory.size) this.memory.view.setUint32(pa, value >>> 0, true);
  }
}
