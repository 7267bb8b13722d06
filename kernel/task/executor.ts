// The blog's final executor (post 12, "Executor with Waker Support"): tasks in a map by id, a
// queue of the ids of tasks that are ready to be polled, and a cache of one TaskWaker per task.
// A task is polled only when its id comes out of the queue; a pending task is left alone until
// its waker pushes the id again. When the queue is empty the CPU sleeps in `hlt`.
//
// The task queue is crossbeam's ArrayQueue<TaskId> with capacity 100, and it lives in simulated
// memory: a ring of u64 ids with its head/tail words, at a fixed address in the kernel's data
// region (the blog puts it on the heap behind an Arc; until the heap exists it is a static, so
// one Executor exists per boot — Executor.new() empties it). The task map and the waker cache are
// JS maps (the blog's BTreeMaps are heap objects too; nothing in an ISR touches them).
import { hlt, load64, sti, store64 } from '../../cpu/isa.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { interrupts } from '../x86_64/instructions.js';
import { ArrayQueue, type Codec } from './crossbeam_queue.js';
import { PENDING, TaskId, type Task } from './mod.js';
import { Context, TaskWaker, type Waker } from './waker.js';

export const TASK_QUEUE_CAPACITY = 100;

/** A TaskId in a queue slot: its u64, little-endian. */
export const TASK_ID_CODEC: Codec<TaskId> = {
  size: 8,
  load: (addr) => new TaskId(Number(load64(addr))),
  store: (addr, id) => store64(addr, BigInt(id.value)),
};

/** Where the task queue lives: head u32, tail u32, then 100 u64 slots. */
export const TASK_QUEUE_AT = staticAlloc('blog_os::task::executor::Executor::task_queue', ArrayQueue.bytes(TASK_QUEUE_CAPACITY, 8), 8);

export class Executor {
  /** `BTreeMap<TaskId, Task>` */
  private readonly tasks = new Map<number, Task>();
  /** `Arc<ArrayQueue<TaskId>>`, shared with every TaskWaker. */
  readonly task_queue: ArrayQueue<TaskId>;
  /** `BTreeMap<TaskId, Waker>` */
  private readonly waker_cache = new Map<number, Waker>();

  private constructor() {
    this.task_queue = ArrayQueue.new(TASK_QUEUE_AT, TASK_QUEUE_CAPACITY, TASK_ID_CODEC);
  }

  static new(): Executor {
    return new Executor();
  }

  spawn(task: Task): void {
    const id = task.id;
    const existed = this.tasks.has(id.value);
    this.tasks.set(id.value, task);
    if (existed) panic('task with same ID already in tasks', 'src/task/executor.rs:51:18');
    if (!this.task_queue.push(id)) panic(`queue full: ${id.toString()}`, 'src/task/executor.rs:52:36');
  }

  /** Never returns: poll whatever is ready, then sleep until an interrupt makes something ready. */
  run(): never {
    for (;;) {
      this.run_ready_tasks();
      this.sleep_if_idle();
    }
  }

  /** Poll every task whose id is in the queue (ids of finished tasks are skipped). */
  run_ready_tasks(): void {
    const { tasks, task_queue, waker_cache } = this;
    for (let task_id = task_queue.pop(); task_id !== undefined; task_id = task_queue.pop()) {
      const task = tasks.get(task_id.value);
      if (task === undefined) continue; // the task no longer exists
      let waker = waker_cache.get(task_id.value);
      if (waker === undefined) {
        waker = TaskWaker.new(task_id, task_queue);
        waker_cache.set(task_id.value, waker);
      }
      const cx = Context.from_waker(waker);
      if (task.poll(cx) !== PENDING) {
        // the task is done: drop it and its cached waker
        tasks.delete(task_id.value);
        waker_cache.delete(task_id.value);
      }
    }
  }

  /**
   * `cli`; then, if no task is ready, `sti; hlt` back to back: sti's one-instruction shadow means
   * an interrupt already pending (say, a key whose ISR will push a task id) is taken only once
   * hlt has begun, and it ends the hlt — so a wake-up between the check and the sleep is never
   * lost. Otherwise just `sti` and go round again.
   */
  sleep_if_idle(): void {
    interrupts.disable();
    if (this.task_queue.is_empty()) enable_and_hlt();
    else interrupts.enable();
  }

  /** Whether a task with this id is still in the map (tests). */
  has_task(id: TaskId): boolean {
    return this.tasks.has(id.value);
  }

  /** How many tasks are alive (tests). */
  task_count(): number {
    return this.tasks.size;
  }
}

/** `x86_64::instructions::interrupts::enable_and_hlt`: `sti; hlt`. */
function enable_and_hlt(): void {
  sti();
  hlt();
}
