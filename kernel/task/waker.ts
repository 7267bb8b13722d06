// Wakers: core::task::{Waker, RawWakerVTable, Context}, alloc::task::Wake, the executor's
// TaskWaker and futures_util::task::AtomicWaker.
//
// A Waker is a RawWaker: a data pointer and a vtable pointer (16 bytes wherever one is stored —
// the executor's waker cache, the keyboard's AtomicWaker). For a TaskWaker, as for any
// `Waker::from(Arc<W: Wake>)`, the data pointer is the Arc's: cloning a waker increments the
// Arc's strong count in the heap, dropping it decrements it, and the last drop frees the ArcInner.
// A vtable is a static whose address names it; its four functions (clone, wake, wake_by_ref,
// drop) are host code, looked up by that address (function code is not data).
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { interrupts } from '../x86_64/instructions.js';
import { Arc } from '../alloc/arc.js';
import { U64 as U64_VALUE, type ValueType } from '../alloc/types.js';
import { loadUsize, storeUsize } from '../allocator/global.js';
import { ARRAY_QUEUE, ArrayQueue, type ArrayQueueValue, type Codec } from './crossbeam_queue.js';
import { TaskId } from './ids.js';

/** `alloc::task::Wake`: wake(self: Arc<Self>) and wake_by_ref(&Arc<Self>). */
export interface Wake {
  wake(): void;
  wake_by_ref(): void;
}

/** `RawWakerVTable` */
interface VTable {
  clone(data: number): void;
  wake(data: number): void;
  wake_by_ref(data: number): void;
  drop(data: number): void;
}

const vtables = new Map<number, VTable>();

function defineVTable(name: string, table: VTable): number {
  const at = staticAlloc(name, 32, 8); // four function pointers
  vtables.set(at, table);
  return at;
}

/** The SimpleExecutor's dummy RawWaker: null data, every function a no-op. */
const NOOP_VTABLE = defineVTable('blog_os::task::simple_executor::dummy_raw_waker::VTABLE', {
  clone: () => {},
  wake: () => {},
  wake_by_ref: () => {},
  drop: () => {},
});

// A Wake implemented in host code (a test's counter): data is its index in this table.
const hostWakes: Wake[] = [];
const HOST_VTABLE = defineVTable('test::HostWake::VTABLE', {
  clone: () => {},
  wake: (data) => hostWakes[data].wake(),
  wake_by_ref: (data) => hostWakes[data].wake_by_ref(),
  drop: () => {},
});

export class Waker {
  private constructor(readonly data: number, readonly vtable: number) {}

  /** `Waker::from_raw(RawWaker::new(data, vtable))` */
  static from_raw(data: number, vtable: number): Waker {
    return new Waker(data, vtable);
  }

  /** `Waker::from(w)` for a Wake written in host code (tests). */
  static from(inner: Wake): Waker {
    let i = hostWakes.indexOf(inner);
    if (i < 0) i = hostWakes.push(inner) - 1;
    return new Waker(i, HOST_VTABLE);
  }

  /** The SimpleExecutor's `dummy_waker()`: clone gives another dummy, the rest do nothing. */
  static noop(): Waker {
    return new Waker(0, NOOP_VTABLE);
  }

  private table(): VTable {
    const t = vtables.get(this.vtable);
    if (!t) throw new Error(`Waker with an unknown vtable 0x${this.vtable.toString(16)}`);
    return t;
  }

  /** Wake the task and consume this handle. */
  wake(): void {
    this.table().wake(this.data);
  }

  wake_by_ref(): void {
    this.table().wake_by_ref(this.data);
  }

  clone(): Waker {
    this.table().clone(this.data);
    return new Waker(this.data, this.vtable);
  }

  /** drop(waker) */
  drop(): void {
    this.table().drop(this.data);
  }

  /** Whether both wake the same task: same data pointer and vtable. */
  will_wake(other: Waker): boolean {
    return this.data === other.data && this.vtable === other.vtable;
  }
}

/** How a Waker is stored: data pointer, vtable pointer; dropping it drops the waker. */
export const WAKER: ValueType<Waker> = {
  name: 'Waker',
  size: 16,
  align: 8,
  read: (at) => Waker.from_raw(loadUsize(at), loadUsize(at + 8)),
  write: (at, w) => {
    storeUsize(at, w.data);
    storeUsize(at + 8, w.vtable);
  },
  drop: (at) => WAKER.read(at).drop(),
};

/** `core::task::Context`: what a future is polled with — today only the waker. */
export class Context {
  private constructor(private readonly w: Waker) {}

  static from_waker(waker: Waker): Context {
    return new Context(waker);
  }

  waker(): Waker {
    return this.w;
  }
}

// ---- the executor's TaskWaker -------------------------------------------------------------

/** A TaskId in a queue slot: its u64. */
export const TASK_ID_CODEC: Codec<TaskId> = {
  size: 8,
  load: (addr) => new TaskId(U64_VALUE.read(addr)),
  store: (addr, id) => U64_VALUE.write(addr, id.value),
};

/** `struct TaskWaker { task_id: TaskId, task_queue: Arc<ArrayQueue<TaskId>> }`: the id, then the queue Arc's pointer. */
export const TASK_WAKER: ValueType<{ task_id: TaskId; task_queue: number }> = {
  name: 'TaskWaker',
  size: 16,
  align: 8,
  read: (at) => ({ task_id: new TaskId(loadUsize(at)), task_queue: loadUsize(at + 8) }),
  write: (at, v) => {
    storeUsize(at, v.task_id.value);
    storeUsize(at + 8, v.task_queue);
  },
  // dropping a TaskWaker drops its Arc<ArrayQueue<TaskId>>
  drop: (at) => Arc.decrement_strong_count<ArrayQueueValue>(ARRAY_QUEUE, loadUsize(at + 8)),
};

function wake_task(data: number): void {
  const { task_id, task_queue } = TASK_WAKER.read(data);
  if (!new ArrayQueue(task_queue, TASK_ID_CODEC).push(task_id)) {
    panic(`task_queue full: ${task_id.toString()}`, 'src/task/executor.rs:77:7');
  }
}

/** `impl Wake for TaskWaker` behind the RawWakerVTable that `Waker::from(Arc<TaskWaker>)` uses. */
const TASK_WAKER_VTABLE = defineVTable('alloc::task::<Arc<TaskWaker>>::VTABLE', {
  clone: (data) => Arc.increment_strong_count(TASK_WAKER, data),
  wake: (data) => {
    wake_task(data);
    Arc.decrement_strong_count(TASK_WAKER, data); // wake(self: Arc<Self>) consumes the Arc
  },
  wake_by_ref: wake_task,
  drop: (data) => Arc.decrement_strong_count(TASK_WAKER, data),
});

export const TaskWaker = {
  /** `Waker::from(Arc::new(TaskWaker { task_id, task_queue }))`; `task_queue` is a clone of the queue's Arc (its data pointer). */
  new(task_id: TaskId, task_queue: Arc<ArrayQueueValue>): Waker {
    const arc = Arc.new(TASK_WAKER, { task_id, task_queue: task_queue.ptr });
    return Waker.from_raw(arc.ptr, TASK_WAKER_VTABLE);
  },
};

// ---- futures_util::task::AtomicWaker ---------------------------------------------------------

/** Bytes of an AtomicWaker: Option<Waker> (vtable 0 = None). */
export const ATOMIC_WAKER_BYTES = 16;

/**
 * futures_util::task::AtomicWaker at `at`: one registered waker, taken by wake() — one wake per
 * registration. Registering a waker that would wake the same task keeps the old one. The crate
 * arbitrates with a CAS state word; here each method runs with interrupts off, which on one
 * CPU gives the same atomicity against an interrupt handler calling wake().
 */
export class AtomicWaker {
  constructor(readonly at: number) {}

  /** `AtomicWaker::new()`: nothing registered. */
  static new(at: number): AtomicWaker {
    storeUsize(at, 0);
    storeUsize(at + 8, 0);
    return new AtomicWaker(at);
  }

  register(waker: Waker): void {
    interrupts.without_interrupts(() => {
      const old = this.peek();
      if (old && old.will_wake(waker)) return;
      const clone = waker.clone();
      WAKER.write(this.at, clone);
      old?.drop();
    });
  }

  /** Wake the registered waker, if any, and forget it. */
  wake(): void {
    this.take()?.wake();
  }

  /** Remove and return the registered waker. */
  take(): Waker | undefined {
    return interrupts.without_interrupts(() => {
      const w = this.peek();
      if (w) {
        storeUsize(this.at, 0);
        storeUsize(this.at + 8, 0);
      }
      return w;
    });
  }

  private peek(): Waker | undefined {
    const w = WAKER.read(this.at);
    return w.vtable === 0 ? undefined : w;
  }
}
