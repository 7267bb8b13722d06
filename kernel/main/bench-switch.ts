// Not a blog post: the kernel `npm run bench` (and tests/machine/guest-threads.test.ts) uses to
// measure a context switch between guest threads. The boot thread creates one more thread and
// the two hand the CPU back and forth ROUNDS times with interrupts off, counting in memory; then
// the boot thread prints the counts and exits through isa-debug-exit (status 33, as a passing test).
// Scenarios exercise the runtime where the second thread holds the CPU: `io` writes its turn
// number to COM1 (port I/O from a worker goes through the boot thread's bus), `keep` never gives
// the CPU back (a `loop {}` with interrupts off: only the machine-time limit ends the run), `fault`
// divides by zero with no IDT (a triple fault on the worker's host thread).
import { cli, CONTEXT_BYTES, div, fn, jmpSelf, load32, outb, store32, threadCreate, threadSwitch } from '../../cpu/isa.js';
import { scenario, setFeatures } from '../features.js';
import * as gdt from '../gdt.js';
import { hlt_loop, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { panic, setPanicHandler } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { exit_qemu, QemuExitCode } from '../testing.js';
import { println } from '../vga_buffer.js';

/** Round trips (two switches each). */
export const ROUNDS = 2000;
const STACK_BYTES = 16 * 1024;

const MAIN_CTX = staticAlloc('bench_switch::MAIN_CTX', CONTEXT_BYTES, 16);
const PONG_CTX = staticAlloc('bench_switch::PONG_CTX', CONTEXT_BYTES, 16);
const PONG_STACK = staticAlloc('bench_switch::PONG_STACK', STACK_BYTES, 16);
/** Switches made by each thread: [0] the boot thread's, [4] the other's. */
const COUNTS = staticAlloc('bench_switch::COUNTS', 8, 8);

const pong = fn('bench_switch::pong', (_arg: number): never => {
  for (;;) {
    const turn = load32(COUNTS + 4) + 1;
    store32(COUNTS + 4, turn);
    if (scenario('io') && turn <= 8) outb(0x3f8, 0x30 + turn); // COM1 THR: '1'..'8'
    if (scenario('keep')) jmpSelf();
    if (scenario('fault')) div(1, 0);
    threadSwitch(PONG_CTX, MAIN_CTX);
  }
});

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(hlt_loop));
  cli();
  gdt.init();
  if (!threadCreate(PONG_CTX, pong, 0, PONG_STACK + STACK_BYTES)) {
    panic('no host thread for a second guest thread: set cpu.threads', 'src/main.rs:1:1');
  }
  for (let i = 0; i < ROUNDS; i++) {
    store32(COUNTS, load32(COUNTS) + 1);
    threadSwitch(MAIN_CTX, PONG_CTX);
  }
  println(`bench-switch: ${load32(COUNTS)} switches out, ${load32(COUNTS + 4)} back`);
  exit_qemu(QemuExitCode.Success);
  return hlt_loop();
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 7, scenario: scenarioName });
  return _start;
}
