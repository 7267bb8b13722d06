// IRQ lines: named level wires from a device output to a device input (or the CPU's INTR pin).
// The level of every line lives in shared memory, so any thread (status bar, qtest, tests) can
// read it; a change is also an `irq.level` trace record.

/** Device index used for the CPU's own pins in wire routes. */
export const CPU_TARGET = -1;

export interface WireRoute {
  /** Index of the line in the shared level array. */
  readonly line: number;
  /** "pit.out0 -> pic1.ir0" */
  readonly name: string;
  /** Input end as written: "pic1.ir0" (the line name in traces, as QEMU names GPIOs by input). */
  readonly input: string;
  readonly toDevice: number; // endpoint index, or CPU_TARGET
  readonly toPin: number;
}

export function allocateLineLevels(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(1, count) * 4);
}
