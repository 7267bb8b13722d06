// x86_64::instructions — the crate's safe wrappers, on this machine's ISA.
import * as isa from '../../cpu/isa.js';

const RFLAGS_IF = 1 << 9;

export const interrupts = {
  are_enabled(): boolean {
    return (isa.readRflags() & RFLAGS_IF) !== 0;
  },
  enable(): void {
    isa.sti();
  },
  disable(): void {
    isa.cli();
  },
  /** Run `f` with interrupts off, then restore the previous state (nesting is safe). */
  without_interrupts<R>(f: () => R): R {
    const saved = interrupts.are_enabled();
    if (saved) isa.cli();
    try {
      return f();
    } finally {
      if (saved) isa.sti();
    }
  },
  int3(): void {
    isa.int3();
  },
};

export function hlt(): void {
  isa.hlt();
}
