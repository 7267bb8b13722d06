// Wakers: core::task::{Waker, Context}, alloc::task::Wake, the executor's TaskWaker and
// futures_util::task::AtomicWaker.
//
// A Waker is a handle on something that implements Wake (Rust: an Arc<dyn Wake> behind a RawWaker
// vtable). clone() shares that same thing, as cloning the Arc does; will_wake() compares it.
// A Waker is a kernel object in JS (the blog's wakers are heap objects reached through pointers,
// and the heap arrives with a later issue); what a TaskWaker *does* — push its TaskId into the
// executor's ArrayQueue — touches simulated memory.
import { panic } from '../panic.js';
import type { ArrayQueue } from './crossbeam_queue.js';
import type { TaskId } from './mod.js';

/** `alloc::task::Wake`: wake(self: Arc<Self>) and wake_by_ref(&Arc<Self>). */
export interface Wake {
  wake(): void;
  wake_by_ref(): void;
}

export class Waker {
  private constructor(private readonly inner: Wake | undefined) {}

  /** `Waker::from(Arc<W: Wake>)` */
  static from(inner: Wake): Waker {
    return new Waker(inner);
  }

  /**
   * The SimpleExecutor's `dummy_waker()`: a RawWaker with a null data pointer and a vtable whose
   * functions do nothing (clone gives another dummy).
   */
  static noop(): Waker {
    return new Waker(undefined);
  }

  /** Wake the task and consume this handle. */
  wake(): void {
    this.inner?.wake();
  }

  wake_by_ref(): void {
    this.inner?.wake_by_ref();
  }

  clone(): Waker {
    return new Waker(this.inner);
  }

  /** Whether both handles wake the same task (same data pointer and vtable). */
  will_wake(other: Waker): boolean {
    return this.inner === other.inner;
  }
}

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

/** The executor's waker: wakes a task by pushing its id onto the task queue. */
export class TaskWaker implements Wake {
  private constructor(private readonly task_id: TaskId, private readonly task_queue: ArrayQueue<TaskId>) {}

  static new(task_id: TaskId, task_queue: ArrayQueue<TaskId>): Waker {
    return Waker.from(new TaskWaker(task_id, task_queue));
  }

  private wake_task(): void {
    if (!this.task_queue.push(this.task_id)) {
      panic(`task_queue full: ${this.task_id.toString()}`, 'src/task/executor.rs:77:7');
    }
  }

  wake(): void {
    this.wake_task();
  }

  wake_by_ref(): void {
    this.wake_task();
  }
}

/**
 * futures_util::task::AtomicWaker: one registered waker, taken by wake() — one wake per
 * registration. Registering a waker that would wake the same task keeps the old one.
 * Interrupts arrive only at instruction boundaries and none of these methods executes an
 * instruction, so each is atomic with respect to an interrupt handler calling wake().
 */
export class AtomicWaker {
  private waker: Waker | undefined;

  register(waker: Waker): void {
    if (this.waker && this.waker.will_wake(waker)) return;
    this.waker = waker.clone();
  }

  /** Wake the registered waker, if any, and forget it. */
  wake(): void {
    this.take()?.wake();
  }

  /** Remove and return the registered waker. */
  take(): Waker | undefined {
    const w = this.waker;
    this.waker = undefined;
    return w;
  }
}
