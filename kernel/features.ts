// Which state of the blog's kernel is booted: the post it stands at, and an optional scenario
// (a deliberate mistake from the blog, to watch what it does). Set by the entry at every boot.

export interface KernelFeatures {
  readonly post: number;
  readonly scenario?: string;
  /** kernel.allocator: which heap allocator (default: the post's). */
  readonly allocator?: string;
  /** The userspace kernel (kernel.main: userspace): user segments, TSS.RSP0, syscalls, #GP/#PF that end a program. */
  readonly userspace?: boolean;
  /**
   * The kernel runs on the APICs (kernel.main: preemption): the PICs are masked, the I/O APIC
   * delivers the keyboard and the local APIC timer drives the scheduler, so the IDT leaves
   * vectors 0x20/0x21 to kernel/apic/interrupts.ts instead of the PIC handlers.
   */
  readonly apic?: boolean;
  /** kernel.timeslice (ns): a preempting kernel's APIC timer period (machine YAML; default 10 ms). */
  readonly timesliceNs?: number;
}

let current: KernelFeatures = { post: 3 };

export function setFeatures(f: KernelFeatures): void {
  current = f;
}

export function features(): KernelFeatures {
  return current;
}

export function scenario(name: string): boolean {
  return current.scenario === name;
}
