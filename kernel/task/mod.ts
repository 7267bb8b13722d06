// task (post 12, "Async/Await"): Task, TaskId, and how Rust's futures are written here.
//
// FUTURES ARE GENERATORS
// ----------------------
// A Rust `async fn` compiles to a state machine whose `poll(cx)` runs it up to the next `.await`
// that cannot finish and returns `Poll::Pending`, or to its end and returns `Poll::Ready(value)`.
// A JS generator is the same kind of state machine, and it runs synchronously — which matters:
// the CPU thread never returns to the JS event loop while the guest runs, so native promises
// could never resolve. The mapping:
//
//   Rust                                   here
//   ------------------------------------   ------------------------------------------------------
//   async fn f() -> T { .. }               function* f(): Future<T> { ..; return value; }
//   f()  (creates the future, runs none    f()  (creates the generator object; its body has not
//         of its body)                           started — a Task is built from it the same way)
//   x.await                                yield* x
//   Future::poll(self, cx) -> Poll<T>      poll(future, cx): one `.next(cx)` round (see below)
//   Poll::Pending                          PENDING — yielded after arranging a wake-up
//   Poll::Ready(v)                         the generator returns v  (Poll<T> = T | PENDING)
//   cx: &mut Context (given to poll)       `yield CONTEXT` evaluates to the current Context;
//                                          `yield PENDING` also evaluates to the Context of the
//                                          poll that resumes the generator. `yield* context()`
//                                          is the readable form.
//   core::future::poll_fn(|cx| ..)         poll_fn((cx) => ..): a leaf future written as a poll
//                                          function (ScancodeStream::next uses it)
//   Stream::poll_next / StreamExt::next    Stream<T>.poll_next(cx) / next(stream)
//
// A generator yields exactly two things: CONTEXT ("give me the Context", answered at once
// within the same poll) and PENDING ("I cannot progress; my waker is registered", which ends the
// poll). `yield*` forwards both from the innermost future to whoever polls the outermost one,
// just as Rust's nested polls pass `cx` down and `Pending` up. A future that returns PENDING
// without having registered its waker is never polled again — the blog's rule, unchanged.
//
// Executors and wakers (waker.ts, simple_executor.ts, executor.ts) are the blog's: a Task owns a
// pinned boxed future (here the generator object), the Executor polls tasks whose id is in its
// task queue (an ArrayQueue of capacity 100 in simulated memory), and a TaskWaker pushes the id
// back onto that queue. TaskIds come from NEXT_ID, a u64 static in the kernel's data region
// (zeroed at boot, so each boot starts at 0).
import { load64, store64 } from '../../cpu/isa.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { interrupts } from '../x86_64/instructions.js';
import type { Context } from './waker.js';

export { Context, Waker } from './waker.js';

/** `Poll::Pending` */
export const PENDING: unique symbol = Symbol('Poll::Pending');
/** The request for the current Context (answered within the same poll). */
export const CONTEXT: unique symbol = Symbol('Context');

/** `Poll<T>`: Ready(value) is the value itself; Pending is PENDING. */
export type Poll<T> = T | typeof PENDING;

/** What a future's generator yields. */
export type Yield = typeof PENDING | typeof CONTEXT;

/** `impl Future<Output = T>`: a generator that yields PENDING/CONTEXT and returns T. */
export type Future<T> = Generator<Yield, T, Context>;

export function is_ready<T>(p: Poll<T>): p is T {
  return p !== PENDING;
}

/** The Context this poll was given: `const cx = yield* context();` */
export function* context(): Future<Context> {
  return yield CONTEXT;
}

/** Poll `future` once with `cx`: run it until it returns (Ready) or yields PENDING. */
export function poll<T>(future: Future<T>, cx: Context): Poll<T> {
  let step = future.next(cx);
  while (!step.done) {
    if (step.value === PENDING) return PENDING;
    step = future.next(cx); // CONTEXT: hand it over and carry on
  }
  return step.value;
}

/** `core::future::poll_fn`: a future whose every poll calls `f(cx)`. */
export function* poll_fn<T>(f: (cx: Context) => Poll<T>): Future<T> {
  let cx = yield CONTEXT;
  for (;;) {
    const p = f(cx);
    if (p !== PENDING) return p as T;
    cx = yield PENDING;
  }
}

/** `futures_util::Stream`: poll_next gives Ready(Some(item)), Ready(None) = undefined at the end, or Pending. */
export interface Stream<T> {
  poll_next(cx: Context): Poll<T | undefined>;
}

/** `StreamExt::next`: a future of the stream's next item (undefined: the stream ended). */
export function next<T>(stream: Stream<T>): Future<T | undefined> {
  return poll_fn((cx) => stream.poll_next(cx));
}

// ---- TaskId and Task --------------------------------------------------------------------------

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

/** `struct Task { id, future: Pin<Box<dyn Future<Output = ()>>> }` */
export class Task {
  readonly id: TaskId;
  private finished = false;

  constructor(private readonly future: Future<void>) {
    this.id = TaskId.new();
  }

  static new(future: Future<void>): Task {
    return new Task(future);
  }

  poll(cx: Context): Poll<void> {
    if (this.finished) panic('`async fn` resumed after completion', 'src/task/mod.rs:142:24');
    const p = poll(this.future, cx);
    if (p !== PENDING) this.finished = true;
    return p;
  }
}
