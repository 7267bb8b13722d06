// x86_64::structures::idt::InterruptStackFrame — a typed view of the frame the CPU pushed, and
// its `{:#?}` Debug text exactly as x86_64 0.15 with bitflags 2 prints it.
import * as isa from '../../cpu/isa.js';

/** RFlags in declaration order (what bitflags' Debug walks). */
const RFLAGS: ReadonlyArray<[string, number]> = [
  ['ID', 21], ['VIRTUAL_INTERRUPT_PENDING', 20], ['VIRTUAL_INTERRUPT', 19], ['ALIGNMENT_CHECK', 18],
  ['VIRTUAL_8086_MODE', 17], ['RESUME_FLAG', 16], ['NESTED_TASK', 14], ['IOPL_HIGH', 13], ['IOPL_LOW', 12],
  ['OVERFLOW_FLAG', 11], ['DIRECTION_FLAG', 10], ['INTERRUPT_FLAG', 9], ['TRAP_FLAG', 8], ['SIGN_FLAG', 7],
  ['ZERO_FLAG', 6], ['AUXILIARY_CARRY_FLAG', 4], ['PARITY_FLAG', 2], ['CARRY_FLAG', 0],
];

/** bitflags 2 Debug body: named flags joined by " | ", then leftover bits as 0x.., or 0x0. */
export function rflagsText(value: number): string {
  const names: string[] = [];
  let rest = value;
  for (const [name, bit] of RFLAGS) {
    if (value & (1 << bit)) {
      names.push(name);
      rest &= ~(1 << bit);
    }
  }
  if (rest) names.push('0x' + rest.toString(16));
  return names.length ? names.join(' | ') : '0x0';
}

export class InterruptStackFrame {
  constructor(readonly addr: number) {}
  private field(i: number): number {
    return Number(isa.load64(this.addr + 8 * i));
  }
  get instruction_pointer(): number { return this.field(0); }
  get code_segment(): number { return this.field(1); }
  get cpu_flags(): number { return this.field(2); }
  get stack_pointer(): number { return this.field(3); }
  get stack_segment(): number { return this.field(4); }

  /** `{:#?}` */
  debugPretty(): string {
    const sel = (s: number) => `SegmentSelector {\n        index: ${s >> 3},\n        rpl: Ring${s & 3},\n    }`;
    return [
      'InterruptStackFrame {',
      `    instruction_pointer: VirtAddr(\n        0x${this.instruction_pointer.toString(16)},\n    ),`,
      `    code_segment: ${sel(this.code_segment)},`,
      `    cpu_flags: RFlags(\n        ${rflagsText(this.cpu_flags)},\n    ),`,
      `    stack_pointer: VirtAddr(\n        0x${this.stack_pointer.toString(16)},\n    ),`,
      `    stack_segment: ${sel(this.stack_segment)},`,
      '}',
    ].join('\n');
  }
}
