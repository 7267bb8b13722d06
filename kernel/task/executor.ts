// The blog's final executor (post 12, "Executor with Waker Support"), on the kernel heap as the
// blog's is: `tasks: BTreeMap<TaskId, Task>` (heap nodes; each Task holds its Box::pin'ned
// future), `task_queue: Arc<ArrayQueue<TaskId>>` (ArcInner and the 100-slot buffer allocated by
// Executor::new — the first allocation post 12 makes), `waker_cache: BTreeMap<TaskId, Waker>`
// (each Waker an Arc<TaskWaker> in the heap). A task is polled only when its id comes out of the
// queue; a pending task is left alone until its waker pushes the id again. When the queue is
// empty the CPU sleeps in `hlt`. The Executor struct itself (three pointers on kernel_main's
// stack in the blog) is a JS object holding those pointers.
import { hlt, sti } from '../../cpu/isa.js';
import { Arc } from '../alloc/arc.js';
import { BTreeMap } from '../alloc/btree_map.js';
import { panic } from '../panic.js';
import { interrupts } from '../x86_64/instructions.js';
import { ARRAY_QUEUE, ArrayQueue, type ArrayQueueValue } from './crossbeam_queue.js';
import { PENDING, TASK, type Task } from './mod.js';
import { Context, TASK_ID_CODEC, TaskWaker, WAKER, type Waker } from './waker.js';
import type { TaskId } from './ids.js';

export { TASK_ID_CODEC } from './waker.js';

export const TASK_QUEUE_CAPACITY = 100;

export class Executor {
  /** `BTreeMap<TaskId, Task>` */
  readonly tasks: BTreeMap<Task>;
  /** `Arc<ArrayQueue<TaskId>>`, shared with every TaskWaker. */
  readonly task_queue_arc: Arc<ArrayQueueValue>;
  /** A view of the queue inside that Arc. */
  readonly task_queue: ArrayQueue<TaskId>;
  /** `BTreeMap<TaskId, Waker>` */
  readonly waker_cache: BTreeMap<Waker>;

  private constructor() {
    this.tasks = BTreeMap.new(TASK);
    // Arc::new(ArrayQueue::new(100)): the slot buffer first, then the ArcInner.
    this.task_queue_arc = Arc.new(ARRAY_QUEUE, ArrayQueue.allocate(TASK_QUEUE_CAPACITY));
    this.task_queue = new ArrayQueue(this.task_queue_arc.ptr, TASK_ID_CODEC);
    this.waker_cache = BTreeMap.new(WAKER);
  }

  static new(): Executor {
    return new Executor();
  }

  spawn(task: Task): void {
    const id = task.id;
    if (this.tasks.insert(id.value, task)) panic('task with same ID already in tasks', 'src/task/executor.rs:51:18');
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
        waker = TaskWaker.new(task_id, this.task_queue_arc.clone());
        waker_cache.insert(task_id.value, waker);
      }
      const cx = Context.from_waker(waker);
      if (task.poll(cx) !== PENDING) {
        // the task is done: drop it and its cached waker
        tasks.remove(task_id.value)?.drop();
        waker_cache.remove(task_id.value)?.drop();
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
    return this.tasks.contains_key(id.value);
  }

  /** How many tasks are alive (tests). */
  task_count(): number {
    return this.tasks.len();
  }
}

/** `x86_64::instructions::interrupts::enable_and_hlt`: `sti; hlt`. */
function enable_and_hlt(): void {
  sti();
  hlt();
}
