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
// pinned boxed future, the Executor polls tasks whose id is in its task queue (an ArrayQueue of
// capacity 100), and a TaskWaker pushes the id back onto that queue.
//
// THE FUTURE'S BOX
// ----------------
// `Task::new(future)` is `Box::pin(future)`: the future's frame is allocated in the kernel heap
// through the global allocator (out of memory → the OOM panic), with the size and alignment its
// async fn declares (asyncFn). The Task is { id, future: Pin<Box<dyn Future>> } — 24 bytes: the id,
// the frame's address, and the address of the future type's vtable, a .data static laid out as
// Rust's dyn vtables begin ([drop_in_place, size, align]): dropping the Task frees the frame with
// the size and alignment read from there. The frame's first byte is the state discriminant
// (0 unresumed, 1 returned, 3 suspended). Locals that must be memory (print_keypresses's Keyboard)
// live in the frame at offsets their async fn chooses; `yield* self_frame()` gives the frame's
// address (the `self: Pin<&mut Self>` of the poll). The generator object itself — the code's
// resumption point and JS locals — stays a host object, tied to its frame's address: the one
// stated exception to "kernel state is simulated memory" besides function code. It is forgotten
// when its Task is dropped, or when the heap is initialised again (a new boot).
import { store8, load8 } from '../../cpu/isa.js';
import { alloc_or_oom, dealloc, loadUsize, onHeapInit, storeUsize, type Layout } from '../allocator/global.js';
import type { ValueType } from '../alloc/types.js';
import { panic } from '../panic.js';
import { staticData } from '../statics.js';
import { TaskId } from './ids.js';
import type { Context } from './waker.js';

export { NEXT_ID_AT, TaskId } from './ids.js';

export { Context, Waker } from './waker.js';

/** `Poll::Pending` */
export const PENDING: unique symbol = Symbol('Poll::Pending');
/** The request for the current Context (answered within the same poll). */
export const CONTEXT: unique symbol = Symbol('Context');
/** The request for the polled task's frame address (answered within the same poll). */
export const FRAME: unique symbol = Symbol('Frame');

/** `Poll<T>`: Ready(value) is the value itself; Pending is PENDING. */
export type Poll<T> = T | typeof PENDING;

/** What a future's generator yields. */
export type Yield = typeof PENDING | typeof CONTEXT | typeof FRAME;

/** `impl Future<Output = T>`: a generator that yields PENDING/CONTEXT and returns T. */
export type Future<T> = Generator<Yield, T, Context>;

export function is_ready<T>(p: Poll<T>): p is T {
  return p !== PENDING;
}

/** The Context this poll was given: `const cx = yield* context();` */
export function* context(): Future<Context> {
  return yield CONTEXT;
}

/** The address of the frame of the task being polled: `const at = yield* self_frame();` */
export function* self_frame(): Future<number> {
  return (yield FRAME) as unknown as number;
}

/** Poll `future` once with `cx` (`frame`: its box's address): run it until it returns (Ready) or yields PENDING. */
export function poll<T>(future: Future<T>, cx: Context, frame = 0): Poll<T> {
  let step = future.next(cx);
  while (!step.done) {
    if (step.value === PENDING) return PENDING;
    // CONTEXT or FRAME: hand it over and carry on
    step = future.next(step.value === FRAME ? (frame as unknown as Context) : cx);
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

// ---- the boxed future and Task -------------------------------------------------------------------

/** `<F as Future>`'s vtable: a .data static [drop_in_place, size, align] (drop_in_place: host code, 0 here). */
function futureVTable(name: string, size: number, align: number): number {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(8, BigInt(size), true);
  view.setBigUint64(16, BigInt(align), true);
  return staticData(`<${name} as Future>::VTABLE`, bytes, 8);
}

/** Futures made by an asyncFn, with their type's vtable; any other generator is a small frame. */
const futureTypes = new WeakMap<Future<unknown>, number>();
const ANONYMOUS_FUTURE = futureVTable('{async block}', 8, 8);

/**
 * An `async fn` whose future (the state machine rustc builds) takes `frameBytes` bytes: calling
 * it gives a generator tagged with that type, so Box::pin allocates the right size.
 */
export function asyncFn<A extends unknown[], T>(name: string, frameBytes: number, body: (...args: A) => Future<T>): (...args: A) => Future<T> {
  const vtable = futureVTable(name, frameBytes, 8);
  return (...args: A) => {
    const future = body(...args);
    futureTypes.set(future as Future<unknown>, vtable);
    return future;
  };
}

/** The generator of each boxed future, by its frame's address (see "THE FUTURE'S BOX"). */
const frames = new Map<number, Future<void>>();
onHeapInit(() => frames.clear());

const STATE_UNRESUMED = 0;
const STATE_RETURNED = 1;
const STATE_SUSPENDED = 3;

function vtableLayout(vtable: number): Layout {
  return { size: loadUsize(vtable + 8), align: loadUsize(vtable + 16) };
}

/** `struct Task { id: TaskId, future: Pin<Box<dyn Future<Output = ()>>> }` — a view of its three words. */
export class Task {
  constructor(
    readonly id: TaskId,
    /** The future's box (its frame). */
    readonly future: number,
    /** The future type's vtable. */
    readonly vtable: number,
  ) {}

  /** `Task { id: TaskId::new(), future: Box::pin(future) }` */
  static new(future: Future<void>): Task {
    const vtable = futureTypes.get(future as Future<unknown>) ?? ANONYMOUS_FUTURE;
    const id = TaskId.new();
    const frame = alloc_or_oom(vtableLayout(vtable));
    store8(frame, STATE_UNRESUMED);
    frames.set(frame, future);
    return new Task(id, frame, vtable);
  }

  /** The frame's layout (from the vtable in memory). */
  layout(): Layout {
    return vtableLayout(this.vtable);
  }

  poll(cx: Context): Poll<void> {
    const generator = frames.get(this.future);
    if (generator === undefined || load8(this.future) === STATE_RETURNED) {
      return panic('`async fn` resumed after completion', 'src/task/mod.rs:142:24');
    }
    const p = poll(generator, cx, this.future);
    store8(this.future, p === PENDING ? STATE_SUSPENDED : STATE_RETURNED);
    return p;
  }

  /** drop(task): drop the future and free its box. */
  drop(): void {
    frames.delete(this.future);
    dealloc(this.future, this.layout());
  }
}

/** How a Task is stored (in the executor's task map): id, frame pointer, vtable pointer. */
export const TASK: ValueType<Task> = {
  name: 'Task',
  size: 24,
  align: 8,
  read: (at) => new Task(new TaskId(loadUsize(at)), loadUsize(at + 8), loadUsize(at + 16)),
  write: (at, t) => {
    storeUsize(at, t.id.value);
    storeUsize(at + 8, t.future);
    storeUsize(at + 16, t.vtable);
  },
  drop: (at) => TASK.read(at).drop(),
};
