// Which state of the blog's kernel is booted: the post it stands at, and an optional scenario
// (a deliberate mistake from the blog, to watch what it does). Set by the entry at every boot.

export interface KernelFeatures {
  readonly post: number;
  readonly scenario?: string;
  /** kernel.allocator: which heap allocator (default: the post's). */
  readonly allocator?: string;
  /** The userspace kernel (kernel.main: userspace): user segments, TSS.RSP0, syscalls, #GP/#PF that end a program. */
  readonly userspace?: boolean;
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
