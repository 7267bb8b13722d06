// The kernel's test binaries at post 12, as `cargo test` builds them: the lib's unit tests, the
// bin's, and each integration test in tests/ — each its own kernel entry, booted in its own
// machine by `actorpc test`, reporting over serial and exiting through isa-debug-exit.
import { fn, interruptHandler, jmpSelf, load8 } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import * as gdt from '../gdt.js';
import { hlt_loop, init } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { panic, setPanicHandler } from '../panic.js';
import { serial_print, serial_println } from '../serial.js';
import { staticAlloc } from '../statics.js';
import { assert_eq, exit_qemu, QemuExitCode, test_panic_handler, test_runner, testable } from '../testing.js';
import { println } from '../vga_buffer.js';
import { IDT_BYTES, InterruptDescriptorTable } from '../x86_64/idt.js';
import { LIB_TESTS } from './lib.js';
import { heap_from_boot_info } from '../allocator.js';
import { heapAllocationTests } from '../tests/heap_allocation.js';
import { BootInfo } from '../x86_64/bootinfo.js';

const POST = 12;

/** The BootInfo address the bootloader passed to the running entry. */
let bootInfoAt = 0;

function entry(name: string, body: () => void): () => KernelStart {
  const start = fn(`_start(${name})`, (bootInfo: number): never => {
    bootInfoAt = bootInfo;
    setPanicHandler(test_panic_handler);
    body();
    return hlt_loop();
  });
  return () => {
    setFeatures({ post: POST });
    return start;
  };
}

/** lib.rs under test: init(), then the library's tests. */
export const lib = entry('lib', () => {
  init();
  test_runner(LIB_TESTS);
});

/** main.rs under test: the bin prints "Hello World!", initialises, runs trivial_assertion. */
export const bin = entry('bin', () => {
  println('Hello World!');
  init();
  test_runner([testable('blog_os::trivial_assertion', () => assert_eq(1, 1, 'src/main.rs:44:5'))]);
});

/** tests/basic_boot.rs: println works right after boot, with no initialisation at all. */
export const basic_boot = entry('basic_boot', () => {
  test_runner([testable('basic_boot::test_println', () => println('test_println output'))]);
});

/** tests/should_panic.rs (harness = false): passes when the assertion panics. */
export const should_panic = entry('should_panic', () => {
  setPanicHandler(() => {
    serial_println('[ok]');
    exit_qemu(QemuExitCode.Success);
    return jmpSelf();
  });
  serial_print('should_panic::should_fail...\t');
  assert_eq(0, 1, 'tests/should_panic.rs:14:5');
  serial_println('[test did not panic]');
  exit_qemu(QemuExitCode.Failed);
});

const TEST_IDT = staticAlloc('stack_overflow::TEST_IDT', IDT_BYTES, 16);

const test_double_fault_handler = interruptHandler('stack_overflow::test_double_fault_handler', () => {
  serial_println('[ok]');
  exit_qemu(QemuExitCode.Success);
  jmpSelf();
});

const stack_overflow_fn: () => void = fn(
  'stack_overflow::stack_overflow',
  () => {
    stack_overflow_fn();
    load8(0); // a volatile read after the call: no tail-call elimination
  },
  { frameBytes: 56 },
);

/** tests/stack_overflow.rs: the double fault of a kernel stack overflow runs on IST1 and exits Success. */
export const stack_overflow = entry('stack_overflow', () => {
  serial_print('stack_overflow::stack_overflow...\t');
  gdt.init();
  const idt = new InterruptDescriptorTable(TEST_IDT).reset();
  idt.set_handler_fn(8, test_double_fault_handler).set_stack_index(gdt.DOUBLE_FAULT_IST_INDEX);
  idt.load();
  stack_overflow_fn();
  panic('Execution continued after stack overflow', 'tests/stack_overflow.rs:27:5');
});

/** tests/heap_allocation.rs: init, the heap as kernel_main sets it up, then the four heap tests. */
export const heap_allocation = entry('heap_allocation', () => {
  init();
  heap_from_boot_info(new BootInfo(bootInfoAt));
  test_runner(heapAllocationTests(POST).map((t) => testable(t.name, t.body)));
});

/** Suite name → entry, in the order `cargo test` runs them (lib, bin, then tests/ alphabetically). */
export const SUITES: Readonly<Record<string, () => KernelStart>> = { lib, bin, basic_boot, heap_allocation, should_panic, stack_overflow };
