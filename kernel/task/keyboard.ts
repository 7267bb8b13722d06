// task::keyboard (post 12): the keyboard interrupt handler only queues scancode bytes; a task
// decodes them. SCANCODE_QUEUE is a OnceCell<ArrayQueue<u8>> static of capacity 100: the cell's
// state word and the queue struct are .bss, the queue's 100 slots are allocated in the heap by
// ArrayQueue::new when ScancodeStream::new initialises it — so the ISR never allocates, and a
// machine reset (statics reloaded at boot) finds it uninitialised again. WAKER is the
// AtomicWaker (a .bss static, None at boot) through which the ISR wakes the task.
import { panic } from '../panic.js';
import { decodedKeyText, HandleControl, Keyboard, ScancodeSet1, Us104Key } from '../pc_keyboard/keyboard.js';
import { staticAlloc } from '../statics.js';
import { print, println } from '../vga_buffer.js';
import { OnceCell } from './conquer_once.js';
import { ARRAY_QUEUE_BYTES, ArrayQueue, U8 } from './crossbeam_queue.js';
import { asyncFn, next, PENDING, self_frame, type Future, type Poll, type Stream } from './mod.js';
import { ATOMIC_WAKER_BYTES, AtomicWaker, type Context } from './waker.js';

export const SCANCODE_QUEUE_CAPACITY = 100;

/** `static SCANCODE_QUEUE: OnceCell<ArrayQueue<u8>>`: state u32 at +0, the queue from +8. */
export const SCANCODE_QUEUE_AT = staticAlloc(
  'blog_os::task::keyboard::SCANCODE_QUEUE',
  OnceCell.bytes(ARRAY_QUEUE_BYTES),
  8,
);

const SCANCODE_QUEUE = new OnceCell(SCANCODE_QUEUE_AT, (at) => new ArrayQueue(at, U8));

/** `static WAKER: AtomicWaker = AtomicWaker::new()` — all zeroes (None), in .bss. */
export const WAKER_AT = staticAlloc('blog_os::task::keyboard::WAKER', ATOMIC_WAKER_BYTES, 8);
const WAKER = { get: () => new AtomicWaker(WAKER_AT) };

/**
 * Called by the keyboard interrupt handler: must not block or allocate. Queue the byte and wake
 * the task (only after the push), or say why the byte is dropped.
 */
export function add_scancode(scancode: number): void {
  const queue = SCANCODE_QUEUE.try_get();
  if (!queue.ok) {
    println('WARNING: scancode queue uninitialized');
  } else if (!queue.value.push(scancode & 0xff)) {
    println('WARNING: scancode queue full; dropping keyboard input');
  } else {
    WAKER.get().wake();
  }
}

/** The stream of scancode bytes; the only way to create one initialises the queue. */
export class ScancodeStream implements Stream<number> {
  // `_private: ()`: nothing outside this module can build one
  private constructor() {}

  static new(): ScancodeStream {
    const init = SCANCODE_QUEUE.try_init_once((at) => {
      ArrayQueue.new(at, SCANCODE_QUEUE_CAPACITY, U8);
    });
    if (!init.ok) panic(`ScancodeStream::new should only be called once: ${init.error}`, 'src/task/keyboard.rs:54:19');
    return new ScancodeStream();
  }

  /** Never Ready(None): the stream has no end. */
  poll_next(cx: Context): Poll<number | undefined> {
    const got = SCANCODE_QUEUE.try_get();
    if (!got.ok) return panic(`scancode queue not initialized: ${got.error}`, 'src/task/keyboard.rs:61:25');
    const queue = got.value;
    // fast path: no waker registration when a byte is already there
    const ready = queue.pop();
    if (ready !== undefined) return ready;
    WAKER.get().register(cx.waker());
    // a byte pushed between the first pop and the registration must not be left waiting
    const late = queue.pop();
    if (late !== undefined) {
      WAKER.get().take()?.drop(); // the registration is not needed: drop the waker (its Arc count)
      return late;
    }
    return PENDING;
  }

  /** `StreamExt::next(&mut self)` */
  next(): Future<number | undefined> {
    return next(this);
  }
}

/**
 * The keyboard task: decode every scancode as the post-07 handler did, and print the key. Its
 * future's frame (24 bytes, in the heap): state at +0, the Keyboard at +8, the Next future at +16.
 */
export const print_keypresses = asyncFn('blog_os::task::keyboard::print_keypresses', 24, function* (): Future<void> {
  const frame = yield* self_frame();
  const scancodes = ScancodeStream.new();
  const keyboard = new Keyboard(new ScancodeSet1(), Us104Key, HandleControl.Ignore, frame + 8);
  for (;;) {
    const scancode = yield* scancodes.next();
    if (scancode === undefined) return;
    const event = keyboard.add_byte(scancode);
    if (event.ok && event.value !== undefined) {
      const key = keyboard.process_keyevent(event.value);
      if (key !== undefined) print(decodedKeyText(key));
    }
  }
});
