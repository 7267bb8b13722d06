// The blog's first executor (post 12, "Simple Executor"): a FIFO of tasks, each polled with a
// dummy waker that does nothing; a pending task goes to the back of the queue and is polled again
// on the next round. run() returns once every task has completed — or busy-polls forever when a
// task waits for something (the keyboard stream), which is why the blog replaces it.
import { PENDING, type Task } from './mod.js';
import { Context, Waker } from './waker.js';

export class SimpleExecutor {
  /** `VecDeque<Task>` */
  private readonly task_queue: Task[] = [];

  static new(): SimpleExecutor {
    return new SimpleExecutor();
  }

  spawn(task: Task): void {
    this.task_queue.push(task);
  }

  run(): void {
    for (let task = this.task_queue.shift(); task !== undefined; task = this.task_queue.shift()) {
      const waker = dummy_waker();
      const cx = Context.from_waker(waker);
      if (task.poll(cx) === PENDING) this.task_queue.push(task);
      // Ready: the task is done and dropped
    }
  }
}

/** `Waker::from_raw(dummy_raw_waker())` */
export function dummy_waker(): Waker {
  return Waker.noop();
}
