// Past the blog: preemptive multitasking on the APIC timer (issue 14). kernel_main switches the
// kernel from the 8259 PICs to the APICs — PICs remapped and masked, the local APIC enabled, the
// I/O APIC routing the keyboard, the local APIC timer calibrated against the PIT and ticking once
// per timeslice (kernel.timeslice, default 10 ms) — then becomes thread 0 of a round-robin
// scheduler and spawns three threads that each print their letter in their own colour and sleep
// 30 ms, so the letters interleave on the screen while kernel_main runs post 12's executor with
// the keyboard task: typed keys are still echoed. Every timer tick preempts whatever runs.
//
// Scenarios: `spinner` adds a thread that never yields (a busy loop animating the top-right corner
// with direct VGA stores) — the others still run, since the timer takes the CPU from it;
// `missing-apic-eoi` leaves the local APIC's EOI out of the timer handler, with the letter threads
// working as in `busy` — one tick, one preemptive switch (A to B), then no tick (and no keyboard
// interrupt) ever again: B keeps the CPU, as post 7's missing EOI leaves one dot; `exit` has each letter
// thread end after ten letters, its successor spawned first — threads die, are reaped, and their
// host threads are reused; `busy` has the letter threads compute instead of sleeping (2 ms of busy
// work per letter), so the timer slices them: a run of one letter per time slice.
import { fn, outb, sti, store16 } from '../../cpu/isa.js';
import { init_heap_or_panic } from '../allocator.js';
import * as apic from '../apic/mod.js';
import { install_apic_handlers } from '../apic/interrupts.js';
import { scenario, setFeatures } from '../features.js';
import * as gdt from '../gdt.js';
import { init_idt, set_user_fault_action } from '../interrupts.js';
import { end_program, KILLED, load_program, run_loaded_program } from '../userspace/process.js';
import { spin } from '../userspace/programs.js';
import { syscall_init } from '../userspace/syscall.js';
import type { KernelStart } from '../mains.js';
import * as memory from '../memory.js';
import { BootInfoFrameAllocator } from '../memory.js';
import { setPanicHandler } from '../panic.js';
import { Executor } from '../task/executor.js';
import { print_keypresses } from '../task/keyboard.js';
import { Task } from '../task/mod.js';
import * as scheduler from '../thread/scheduler.js';
import { sleep_ms, spawn, thread_fn, thread_panic_handler } from '../thread/scheduler.js';
import { map_thread_stacks } from '../thread/stack.js';
import { Color, colorCode, print_colored, println, VGA_BUFFER } from '../vga_buffer.js';
import { VirtAddr } from '../x86_64/addr.js';
import { interrupts } from '../x86_64/instructions.js';
import { BootInfo } from '../x86_64/bootinfo.js';

/** The demo's threads: a letter and a colour each (and a darker shade for the `exit` scenario's successors). */
export const LETTERS = [
  { letter: 'A', color: colorCode(Color.LightRed, Color.Black), dark: colorCode(Color.Red, Color.Black) },
  { letter: 'B', color: colorCode(Color.LightGreen, Color.Black), dark: colorCode(Color.Green, Color.Black) },
  { letter: 'C', color: colorCode(Color.LightCyan, Color.Black), dark: colorCode(Color.Cyan, Color.Black) },
] as const;
export const LETTER_SLEEP_MS = 30;
/** kernel.scenario busy: io_delay()s of work between two letters (≈ 2 ms of busy CPU). */
export const WORK_DELAYS = 2000;
/** kernel.scenario exit: letters a thread prints before it hands over to its successor and ends. */
export const LETTERS_PER_LIFE = 10;

/**
 * Print my letter, sleep, for ever. `arg` = letter index | generation << 8; in the `exit`
 * scenario a thread ends after LETTERS_PER_LIFE letters, spawning its successor first (the next
 * generation, in the other shade), so threads keep ending and host threads keep being reused.
 */
const letters = thread_fn('actorpc_kernel::preemption::letters', (arg: number) => {
  const i = arg & 0xff;
  const generation = arg >> 8;
  const { letter } = LETTERS[i];
  const color = generation % 2 === 0 ? LETTERS[i].color : LETTERS[i].dark;
  const busy = scenario('busy') || scenario('missing-apic-eoi');
  for (let n = 0; ; n++) {
    if (scenario('exit') && n === LETTERS_PER_LIFE) {
      spawn(letters, i | ((generation + 1) << 8));
      return; // thread_start calls exit()
    }
    print_colored(letter, color);
    if (busy) for (let d = 0; d < WORK_DELAYS; d++) outb(0x80, 0);
    else sleep_ms(LETTER_SLEEP_MS);
  }
});

/** The spinner's cells: the glyph in the top-right corner, its frame count left of it. */
export const SPINNER_ROW = 0;
export const SPINNER_COL = 79;
export const SPINNER_COLOR = colorCode(Color.White, Color.Blue);
const SPINNER_GLYPHS = '|/-\\';
/** io_delay()s per spinner frame: `outb(0x80)`, ≈ 1 µs of ISA cycle each (Linux's native_io_delay). */
const SPIN_DELAY = 1000;

/**
 * The thread that never yields (kernel.scenario spinner): it never sleeps, never yields and never
 * turns interrupts off — a busy loop writing a rotating glyph and its frame count straight into
 * VGA memory (no lock, no WRITER: cells no one else writes). Only the timer takes the CPU from it.
 */
const spinner = thread_fn('actorpc_kernel::preemption::spinner', () => {
  const cell = (col: number) => VGA_BUFFER + 2 * (SPINNER_ROW * 80 + col);
  for (let frame = 0; ; frame++) {
    const count = String(frame % 1e6).padStart(6, ' ');
    for (let i = 0; i < 6; i++) store16(cell(SPINNER_COL - 7 + i), count.charCodeAt(i) | (SPINNER_COLOR << 8));
    store16(cell(SPINNER_COL), SPINNER_GLYPHS.charCodeAt(frame % 4) | (SPINNER_COLOR << 8));
    for (let i = 0; i < SPIN_DELAY; i++) outb(0x80, 0);
  }
});

/** A fault that ends the user program: print it, and the program's run_loaded_program returns. */
function end_user_program(what: string): never {
  println(`[kernel] program ended by ${what}`);
  return end_program(KILLED);
}

/**
 * kernel.scenario ring3: a thread that runs the userspace kernel's `spin` program at CPL 3 — it
 * says so with SYS_WRITE, then `loop {}` for good. A timer tick in ring 3 enters the handler on
 * TSS.RSP0 (one user thread: one privilege stack is enough) and switches away like any other;
 * switched back, the handler's iretq returns to ring 3.
 */
const user_thread = thread_fn('actorpc_kernel::preemption::user_thread', () => {
  set_user_fault_action(end_user_program); // host-side state: this host thread's own
  run_loaded_program(spin);
});

const kernel_main = fn('actorpc_kernel::preemption::kernel_main', (bootInfoAddr: number): never => {
  const boot_info = new BootInfo(bootInfoAddr);
  setPanicHandler(thread_panic_handler);
  println('Preemptive multitasking on the APIC timer');
  gdt.init();
  init_idt();

  // One frame allocator for everything kernel_main maps: the heap, the APIC pages, thread stacks.
  const mapper = memory.init(VirtAddr.new(boot_info.physical_memory_offset));
  const frames = BootInfoFrameAllocator.init(boot_info.memory_map);
  init_heap_or_panic(mapper, frames);

  // Interrupts are still off (as the bootloader left them): from here on, the APICs.
  const setup = apic.init(mapper, frames);
  install_apic_handlers();
  for (const line of apic.describe_setup(setup)) println(line);

  map_thread_stacks(mapper, frames);
  if (scenario('ring3')) {
    // The userspace kernel's parts: user segments (features().userspace), the syscall MSRs and
    // TSS.RSP0; the program's pages mapped here, where the frame allocator is.
    syscall_init();
    set_user_fault_action(end_user_program);
    load_program(spin, mapper, frames);
  }
  scheduler.init(setup.timesliceNs);
  sti();

  const names = LETTERS.map((l) => l.letter).join(', ');
  const work = scenario('busy') || scenario('missing-apic-eoi') ? 'work 2ms per letter' : `print, sleep ${LETTER_SLEEP_MS}ms`;
  println(`round robin every ${apic.duration_text(setup.timesliceNs)}: threads ${names} ${work}; type to echo`);
  if (scenario('spinner')) println('+ a thread that never yields: the spinner, top right');
  if (scenario('ring3')) println('+ a user program spinning in ring 3, preempted like the rest');
  if (scenario('missing-apic-eoi')) println('the timer handler forgets the local APIC EOI');
  if (scenario('exit')) println(`each thread ends after ${LETTERS_PER_LIFE} letters, spawning its successor first`);
  // All of them before any runs (a tick between two spawns would start the first one alone).
  interrupts.without_interrupts(() => {
    LETTERS.forEach((_, i) => spawn(letters, i));
    if (scenario('spinner')) spawn(spinner);
    if (scenario('ring3')) spawn(user_thread);
  });

  // kernel_main is thread 0 now: post 12's executor with the keyboard task. When no task is ready
  // it is the idle thread: the others run first, and only when none can does the CPU hlt.
  const executor = Executor.new();
  executor.spawn(Task.new(print_keypresses()));
  for (;;) {
    executor.run_ready_tasks();
    interrupts.disable();
    if (executor.task_queue.is_empty()) scheduler.idle();
    else interrupts.enable();
  }
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 12, scenario: scenarioName, apic: true, ...(scenarioName === 'ring3' ? { userspace: true } : {}) });
  return kernel_main;
}
