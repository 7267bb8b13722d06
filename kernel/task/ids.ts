// TaskId (post 12): `struct TaskId(u64)`, numbered from NEXT_ID, a u64 static in the kernel's .bss
// (zeroed at every boot, so each boot starts at 0).
import { load64, store64 } from '../../cpu/isa.js';
import { staticAlloc } from '../statics.js';
import { interrupts } from '../x86_64/instructions.js';

/** `static NEXT_ID: AtomicU64 = AtomicU64::new(0)` inside TaskId::new. */
export const NEXT_ID_AT = staticAlloc('blog_os::task::TaskId::new::NEXT_ID', 8, 8);

/** `struct TaskId(u64)` */
export class TaskId {
  constructor(readonly value: number) {}

  /** fetch_add(1, Relaxed) on NEXT_ID — one `lock xadd`, so it runs with interrupts off here. */
  static new(): TaskId {
    return interrupts.without_interrupts(() => {
      const id = Number(load64(NEXT_ID_AT));
      store64(NEXT_ID_AT, BigInt(id + 1));
      return new TaskId(id);
    });
  }

  equals(other: TaskId): boolean {
    return this.value === other.value;
  }

  /** `{:?}` */
  toString(): string {
    return `TaskId(${this.value})`;
  }
}
