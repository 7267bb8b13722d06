// What a fuzz run does to a device, one operation at a time: the guest's port accesses, host-side
// events (input pins, INTA, time passing, host keys and serial bytes, guest stores to memory),
// and their one-line spelling in reports (qtest-like: `outb 0x43 0x34`, `wait 1000ns`).
import type { AccessSize, DeviceModule, Level } from '../../bus/device.js';

export type Op =
  /** `in` of `size` bytes at `port` (the access is one the bus hands the core unsplit). */
  | { readonly k: 'in'; readonly port: number; readonly size: AccessSize }
  | { readonly k: 'out'; readonly port: number; readonly size: AccessSize; readonly value: number }
  /** An input pin changes level (a wire from another device). */
  | { readonly k: 'pin'; readonly pin: number; readonly level: Level }
  /** The INTA cycle (interrupt controllers). */
  | { readonly k: 'inta' }
  /**
   * Machine time moves on by `ns`. Exact: every deadline on the way is served at its own time (the
   * bus in virtual time). Late: time jumps and one advance() catches up (a busy host in realtime).
   */
  | { readonly k: 'wait'; readonly ns: number; readonly late: boolean }
  /** A host key event taking effect `delay` ns from now (input(), then advance(), as the shell's service). */
  | { readonly k: 'key'; readonly key: string; readonly down: boolean; readonly delay: number }
  /** Host serial bytes arriving `delay` ns from now (the same path as keys). */
  | { readonly k: 'serial'; readonly bytes: readonly number[]; readonly delay: number }
  /** Guest stores to physical memory (what a scanning device reads). */
  | { readonly k: 'poke'; readonly addr: number; readonly bytes: readonly number[] }
  /** The machine stops or goes idle: flush(). */
  | { readonly k: 'flush' }
  /**
   * Snapshot the core and restore it (through JSON) into a fresh one; from here on both get every
   * operation and must answer alike (property.ts).
   */
  | { readonly k: 'snapshot' };

/** Where one port lands in a core: region index, offset, and the access sizes the core takes there. */
export interface PortSlot {
  readonly port: number;
  readonly region: number;
  readonly offset: number;
  readonly sizes: readonly AccessSize[];
}

/** Every port of a module's regions at `bases` (region name → first port; default: the module's). */
export function portSlots(module: DeviceModule<any>, bases: Readonly<Record<string, number>> = {}): PortSlot[] {
  const slots: PortSlot[] = [];
  module.regions.forEach((r, region) => {
    const base = bases[r.name] ?? r.base;
    const widths = r.widths ?? [1];
    for (let offset = 0; offset < r.size; offset++) {
      // Only accesses the bus passes on whole: a declared width that fits in the region.
      const sizes = widths.filter((w) => offset + w <= r.size);
      slots.push({ port: base + offset, region, offset, sizes: sizes.length ? sizes : [1] });
    }
  });
  return slots;
}

const hex = (v: number): string => `0x${v.toString(16)}`;
const SUFFIX: Record<AccessSize, string> = { 1: 'b', 2: 'w', 4: 'l' };

export function formatOp(op: Op, inputs: readonly string[] = []): string {
  switch (op.k) {
    case 'in': return `in${SUFFIX[op.size]} ${hex(op.port)}`;
    case 'out': return `out${SUFFIX[op.size]} ${hex(op.port)} ${hex(op.value)}`;
    case 'pin': return `pin ${inputs[op.pin] ?? op.pin} ${op.level}`;
    case 'inta': return 'inta';
    case 'wait': return `wait ${op.ns}ns${op.late ? ' late' : ''}`;
    case 'key': return `key ${JSON.stringify(op.key)} ${op.down ? 'down' : 'up'} +${op.delay}ns`;
    case 'serial': return `serial [${op.bytes.map(hex).join(' ')}] +${op.delay}ns`;
    case 'poke': return `poke ${hex(op.addr)} [${op.bytes.map(hex).join(' ')}]`;
    case 'flush': return 'flush';
    case 'snapshot': return 'snapshot+restore';
  }
}
