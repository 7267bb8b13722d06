// post 12's executors on a CPU in virtual time (blog-os-behaviour.md §13.1–13.3): futures are
// generators whose frames are boxed in the kernel heap (kernel/task/mod.ts), the Executor's task
// map, waker cache and Arc<ArrayQueue<TaskId>> (capacity 100) are heap objects too, and
// sleep_if_idle's `cli … sti; hlt` loses no wake-up.
import { beforeEach, describe, expect, it } from 'vitest';
import { cli, pause } from '../../cpu/isa.js';
import { MachineStop } from '../../cpu/errors.js';
import { setFeatures } from '../../kernel/features.js';
import { init } from '../../kernel/lib.js';
import { example_task } from '../../kernel/task/example.js';
import { Executor } from '../../kernel/task/executor.js';
import { initAllocator } from '../../kernel/allocator/index.js';
import type { FixedSizeBlockAllocator } from '../../kernel/allocator/fixed_size_block.js';
import { add_scancode, print_keypresses } from '../../kernel/task/keyboard.js';
import { context, NEXT_ID_AT, PENDING, Task, TaskId, type Future } from '../../kernel/task/mod.js';
import { SimpleExecutor } from '../../kernel/task/simple_executor.js';
import type { Waker } from '../../kernel/task/waker.js';
import { cpuRig, type CpuRig } from '../support/cpu-rig.js';
import { throwOnPanic } from '../support/kernel-panic.js';
import { kbcDevice, keystroke } from '../support/test-kbc.js';

const HEAP_AT = 0x100000; // paging is off in the rig: a heap in low RAM
let rig: CpuRig;
let heap: FixedSizeBlockAllocator;
function heapRig(o: Parameters<typeof cpuRig>[0]): CpuRig {
  const r = cpuRig(o);
  heap = initAllocator('fixed-size-block', HEAP_AT, 100 * 1024) as FixedSizeBlockAllocator;
  return r;
}
beforeEach(() => {
  rig = heapRig({ cpu: { stopAt: 5e6 } });
  setFeatures({ post: 12 });
  throwOnPanic();
});

/** A task that counts its polls, keeps its waker where the test can reach it, and finishes after `pendings` Pendings. */
function probe(pendings = Infinity) {
  const state = { polls: 0, waker: undefined as Waker | undefined, done: false };
  function* body(): Future<void> {
    for (let i = 0; ; i++) {
      const cx = yield* context();
      state.polls++;
      state.waker = cx.waker().clone(); // a clone: the test holds its own reference
      if (i >= pendings) break;
      yield PENDING;
    }
    state.done = true;
  }
  return { state, task: Task.new(body()) };
}

/** Row r of the VGA text buffer, NULs (memory never written) as blanks, trailing blanks dropped. */
const screen = (r: number) => rig.row(r).replace(/\0/g, ' ').trimEnd();
const u64 = (a: number) => Number(rig.memory.read64(a));
let queueAt = 0;
const queueWords = () => ({ head: u64(queueAt), tail: u64(queueAt + 8) });
/** The value of slot i of the queue's heap buffer (crossbeam slots: stamp, then value). */
const slot = (i: number) => rig.memory.read64(u64(queueAt + 16) + 16 * i + 8);
const inHeap = (a: number) => a >= HEAP_AT && a < HEAP_AT + 100 * 1024;

describe('Task and TaskId', () => {
  it('TaskIds count from 0 in the NEXT_ID static in simulated memory', () => {
    expect([Task.new(example_task()).id, Task.new(example_task()).id].map(String)).toEqual(['TaskId(0)', 'TaskId(1)']);
    expect(rig.memory.read64(NEXT_ID_AT)).toBe(2n);
    expect(TaskId.new().value).toBe(2);
  });

  it('creating a task runs none of its future: the body starts at the first poll', () => {
    const p = probe();
    expect(p.state.polls).toBe(0);
  });
});

describe('SimpleExecutor', () => {
  it('runs example_task to completion: "async number: 42", then run() returns', () => {
    const executor = SimpleExecutor.new();
    executor.spawn(Task.new(example_task()));
    executor.run();
    expect(screen(23)).toBe('async number: 42');
  });

  it('polls with a dummy waker and re-polls a pending task until it is ready (busy polling)', () => {
    const executor = SimpleExecutor.new();
    const p = probe(3);
    executor.spawn(p.task);
    executor.run();
    expect(p.state).toMatchObject({ polls: 4, done: true });
  });
});

describe('Executor', () => {
  it('keeps its task queue in the heap: an Arc<ArrayQueue> whose 100 slots are a heap buffer', () => {
    const executor = Executor.new();
    queueAt = executor.task_queue.addr;
    executor.spawn(Task.new(example_task()));
    executor.spawn(probe().task);
    expect(inHeap(queueAt) && inHeap(u64(queueAt + 16))).toBe(true);
    expect(u64(queueAt - 16)).toBe(1); // the Arc's strong count (no waker yet)
    expect(queueWords()).toEqual({ head: 0, tail: 2 });
    expect([slot(0), slot(1)]).toEqual([0n, 1n]);
    executor.run_ready_tasks();
    expect(queueWords()).toEqual({ head: 2, tail: 2 });
    expect(screen(23)).toBe('async number: 42');
  });

  it('polls the ids it finds in memory: an id written into the ring by hand runs that task', () => {
    const executor = Executor.new();
    queueAt = executor.task_queue.addr;
    const p = probe();
    executor.spawn(p.task);
    executor.run_ready_tasks();
    expect(p.state.polls).toBe(1);
    const { tail } = queueWords(); // 1: slot 1 is free for this lap (stamp 1)
    const at = u64(queueAt + 16) + 16 * (tail % 128);
    rig.memory.write64(at + 8, BigInt(p.task.id.value));
    rig.memory.write64(at, BigInt(tail + 1));
    rig.memory.write64(queueAt + 8, BigInt(tail + 1));
    executor.run_ready_tasks();
    expect(p.state.polls).toBe(2);
  });

  it('a pending task is polled again only after its waker pushes its id', () => {
    const executor = Executor.new();
    queueAt = executor.task_queue.addr;
    const p = probe();
    executor.spawn(p.task);
    executor.run_ready_tasks();
    executor.run_ready_tasks();
    expect(p.state.polls).toBe(1);
    p.state.waker!.wake_by_ref();
    expect(slot(1)).toBe(BigInt(p.task.id.value));
    executor.run_ready_tasks();
    expect(p.state.polls).toBe(2);
  });

  it('a task woken by a scancode push runs again: print_keypresses prints the key', () => {
    const executor = Executor.new();
    executor.spawn(Task.new(print_keypresses()));
    executor.run_ready_tasks(); // initialises the stream, registers the waker, Pending
    expect(executor.task_queue.is_empty()).toBe(true);
    add_scancode(0x1e); // what the ISR does
    expect(executor.task_queue.len()).toBe(1);
    executor.run_ready_tasks();
    expect(screen(24)).toBe('a');
  });

  it('a finished task is removed with its waker; stale and duplicate ids are harmless', () => {
    const executor = Executor.new();
    const p = probe(1);
    executor.spawn(p.task);
    executor.run_ready_tasks();
    p.state.waker!.wake_by_ref();
    p.state.waker!.wake_by_ref(); // spurious duplicate
    executor.run_ready_tasks(); // polled to completion by the first id; the second is skipped
    expect(p.state).toMatchObject({ polls: 2, done: true });
    expect(executor.has_task(p.task.id)).toBe(false);
    p.state.waker!.wake(); // a waker that outlives its task
    expect(() => executor.run_ready_tasks()).not.toThrow();
    expect(executor.task_count()).toBe(0);
  });

  it('panics "task with same ID already in tasks" when a task is spawned twice', () => {
    const executor = Executor.new();
    const t = probe().task;
    executor.spawn(t);
    expect(() => executor.spawn(t)).toThrow(/panicked at .*\ntask with same ID already in tasks/);
  });

  it('spawn panics "queue full" on the 101st task that is not yet run', () => {
    const executor = Executor.new();
    for (let i = 0; i < 100; i++) executor.spawn(probe().task);
    expect(() => executor.spawn(probe().task)).toThrow(/\nqueue full: TaskId\(100\)$/);
  });

  it('a waker panics "task_queue full" when it pushes the 101st id', () => {
    const executor = Executor.new();
    function* greedy(): Future<void> {
      const cx = yield* context();
      for (let i = 0; i < 101; i++) cx.waker().wake_by_ref();
    }
    executor.spawn(Task.new(greedy()));
    expect(() => executor.run_ready_tasks()).toThrow(/\ntask_queue full: TaskId\(0\)$/);
  });

  it('sleep_if_idle with a task ready: cli, then sti, and no hlt', () => {
    const executor = Executor.new();
    executor.spawn(probe().task);
    rig.traced();
    executor.sleep_if_idle();
    expect(rig.traced('cpu.hlt')).toEqual([]);
    expect(rig.cpu.interruptsEnabled).toBe(true);
  });

  it('sleep_if_idle with nothing ready and nothing coming sleeps in hlt until the machine stops', () => {
    const executor = Executor.new();
    expect(() => executor.sleep_if_idle()).toThrow(MachineStop);
    expect(rig.traced('cpu.hlt')).toHaveLength(1);
  });
});

describe('the executor on its heap (as the blog\'s: Box::pin, BTreeMap, Arc)', () => {
  it('Task::new boxes the future in the heap with its async fn\'s frame size', () => {
    const used = heap.fallback.used();
    const t = Task.new(example_task());
    expect(inHeap(t.future)).toBe(true);
    expect(t.layout()).toEqual({ size: 8, align: 8 });
    expect(heap.fallback.used()).toBeGreaterThan(used); // an 8-byte block from the fallback
    t.drop();
    expect(heap.listBlocks(0)).toContain(t.future); // freed onto the 8-byte list
  });

  it('the task map and the waker cache are heap nodes; a TaskWaker is an Arc whose counts are in the heap', () => {
    const executor = Executor.new();
    const p = probe();
    executor.spawn(p.task);
    const [node] = executor.tasks.nodes();
    expect(inHeap(node)).toBe(true);
    expect(u64(node + 16)).toBe(p.task.id.value); // the key, then the Task (id, frame, vtable)
    expect(u64(node + 16 + 8 * 11 + 8)).toBe(p.task.future);
    executor.run_ready_tasks();
    const waker = p.state.waker!;
    expect(inHeap(waker.data)).toBe(true);
    expect(u64(waker.data - 16)).toBe(2); // strong: the cache's waker and the test's clone
    expect(u64(waker.data)).toBe(p.task.id.value); // TaskWaker.task_id
    expect(u64(waker.data + 8)).toBe(executor.task_queue.addr); // its Arc<ArrayQueue>
    expect(u64(executor.task_queue.addr - 16)).toBe(2); // the executor's Arc and the waker's clone
    waker.drop();
    expect(u64(waker.data - 16)).toBe(1);
  });

  it('a finished task frees its box, its map node and its waker; the queue Arc loses the waker\'s reference', () => {
    const executor = Executor.new();
    const fallbackBefore = heap.fallback.used();
    executor.spawn(Task.new(example_task()));
    executor.run_ready_tasks();
    expect(screen(23)).toBe('async number: 42');
    expect(executor.tasks.nodes()).toEqual([]);
    expect(executor.waker_cache.nodes()).toEqual([]);
    expect(u64(executor.task_queue.addr - 16)).toBe(1);
    // Everything went back: the blocks sit on the fixed-size lists, the fallback handed out no more.
    expect(heap.fallback.used()).toBeGreaterThan(fallbackBefore);
    expect(heap.listBlocks(0).length + heap.listBlocks(5).length + heap.listBlocks(6).length).toBeGreaterThanOrEqual(3);
  });

  it('with the Dummy allocator Executor::new panics with the OOM message for the queue\'s 1600-byte buffer', () => {
    initAllocator('dummy');
    expect(() => Executor.new()).toThrow(/panicked at library\/alloc\/src\/alloc.rs:435:13:\nmemory allocation of 1600 bytes failed$/);
  });
});

describe('Executor with keyboard interrupts (test controller on IRQ1 → vector 33)', () => {
  it('no lost wake-up: an IRQ that rose while IF=0 is taken inside the `sti; hlt` and its task runs', () => {
    const BYTE_AT = 300_000;
    const kbc = kbcDevice([{ at: BYTE_AT, byte: 0x1e }]);
    rig = heapRig({ devices: kbc.devices, wires: kbc.wires, cpu: { stopAt: 5e6 } });
    init(); // post 12: GDT, IDT (vector 33 → the ISR that calls add_scancode), PIC init, sti
    const executor = Executor.new();
    executor.spawn(Task.new(print_keypresses()));
    executor.run_ready_tasks(); // Pending, waker registered in WAKER
    expect(rig.cpu.now()).toBeLessThan(BYTE_AT);
    cli(); // as sleep_if_idle's own cli would be, but the byte arrives after it
    while (rig.cpu.now() <= BYTE_AT) pause();
    expect([rig.rig.bus.intr, kbc.stats.acks]).toEqual([1, 0]); // pending, not taken
    expect(executor.task_queue.is_empty()).toBe(true); // so sleep_if_idle will halt
    rig.traced();
    executor.sleep_if_idle(); // returns: the hlt was ended by the interrupt
    const order = rig.traced().map((e) => e.kind).filter((k) => k === 'cpu.hlt' || k === 'cpu.inta');
    expect(order).toEqual(['cpu.hlt', 'cpu.inta']); // sti's shadow: taken once hlt has begun
    expect(kbc.stats).toMatchObject({ read: [0x1e], acks: 1, eois: 1 });
    expect(executor.task_queue.len()).toBe(1);
    executor.run_ready_tasks();
    expect(screen(24)).toBe('a');
  });

  it('run(): example_task, then keystrokes typed while the CPU sleeps in hlt between interrupts', () => {
    const script = [...keystroke(1e6, 0x23), ...keystroke(2e6, 0x17), 0x2a, 0x02].map((s, i) =>
      typeof s === 'number' ? { at: 3e6 + i, byte: s } : s,
    );
    const kbc = kbcDevice(script);
    rig = heapRig({ devices: kbc.devices, wires: kbc.wires, cpu: { stopAt: 4e6 } });
    init();
    const executor = Executor.new();
    executor.spawn(Task.new(example_task()));
    executor.spawn(Task.new(print_keypresses()));
    expect(() => executor.run()).toThrow(MachineStop);
    expect(screen(23)).toBe('async number: 42');
    expect(screen(24)).toBe('hiLShift!');
    expect(kbc.stats.read).toEqual([0x23, 0xa3, 0x17, 0x97, 0x2a, 0x02]);
    expect(rig.traced('cpu.hlt').length).toBeGreaterThanOrEqual(4); // a sleep between the keys (the last two bytes, 1 ns apart, may share one wake-up)
  });
});
