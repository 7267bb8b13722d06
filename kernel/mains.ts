// The kernel entries a machine can boot (`kernel.main` in the YAML): the kernel as it stands
// after each post of the blog, with the blog's deliberate mistakes as scenarios.
import type { GuestFn } from '../cpu/isa.js';
import { TEST_KERNEL_MAINS } from './suites/mains.js';

export type KernelStart = GuestFn<[number], never>;

export interface KernelEntry {
  /** One line for --print-config and docs. */
  readonly title: string;
  /** What the entry does about the heap the blog sets up in this post, while that is still missing. */
  readonly heap?: string;
  /** kernel.scenario values and what each shows. */
  readonly scenarios: Readonly<Record<string, string>>;
  /** Import the entry module; `entry(scenario)` gives `_start`, called by the bootloader. */
  load(): Promise<{ entry: (scenario?: string) => KernelStart }>;
}

export const KERNEL_MAINS: Readonly<Record<string, KernelEntry>> = {
  'post-03': {
    title: 'VGA text mode: the Writer prints "Hello World!"',
    scenarios: {},
    load: () => import('./main/post-03.js'),
  },
  'post-05': {
    title: 'CPU exceptions: an IDT with a breakpoint handler; int3 and carry on',
    scenarios: {},
    load: () => import('./main/post-05.js'),
  },
  'post-06': {
    title: 'Double faults: GDT, TSS and an IST stack for the double-fault handler',
    scenarios: {
      'page-fault': 'write to 0xdeadbeef: the page fault has no handler, so the double-fault handler panics',
      'stack-overflow': 'endless recursion hits the guard page; the double fault runs on IST1 and panics',
      'no-double-fault-handler': 'write to 0xdeadbeef with only a breakpoint handler: #PF, #NP, #DF, triple fault',
      'stack-overflow-without-ist': 'stack overflow with the double-fault handler on the faulting stack: triple fault',
    },
    load: () => import('./main/post-06.js'),
  },
  'post-07': {
    title: 'Hardware interrupts: ChainedPics, timer dots, keyboard IRQ, hlt_loop',
    scenarios: {
      'missing-eoi': 'the timer handler never sends EOI: exactly one dot',
      'no-timer-handler': 'interrupts enabled with no handler for vector 32: double fault after sti',
      'print-deadlock': 'printing without without_interrupts while the timer prints too: hyphens, then a deadlock',
      'reset-holding-pics': 'first boot: take PICS, then reset through the 8042; the next boot\'s timer EOIs must still work (dots)',
    },
    load: () => import('./main/post-07.js'),
  },
  'post-08': {
    title: 'Introduction to Paging: a page-fault handler; prints the level-4 table address from CR3, then writes to unmapped 0xdeadbeaf',
    scenarios: {},
    load: () => import('./main/post-08.js'),
  },
  'post-09': {
    title: 'Paging Implementation: OffsetPageTable + BootInfoFrameAllocator map page 0xdeadbeaf000 to the VGA frame: "New!"',
    scenarios: {},
    load: () => import('./main/post-09.js'),
  },
  'post-10': {
    title: 'Heap Allocation: 100 KiB at 0x4444_4444_0000, Box/Vec/Rc on a linked_list_allocator-style heap',
    scenarios: {},
    load: () => import('./main/post-10.js'),
  },
  'post-11': {
    title: 'Allocator Designs: the fixed-size block allocator (kernel.allocator picks bump, linked-list, buddy…)',
    scenarios: {},
    load: () => import('./main/post-11.js'),
  },
  'post-12': {
    title: 'Async/Await: an executor of tasks woken by the keyboard ISR, idling in hlt',
    scenarios: {},
    load: () => import('./main/post-12.js'),
  },
  userspace: {
    title: 'not a post: user programs at CPL 3 — GDT user segments, TSS.RSP0, syscall/sysretq, SYS_WRITE and SYS_EXIT',
    scenarios: {
      'user-cli': 'a program executes cli in ring 3: #GP, the kernel reports GENERAL PROTECTION FAULT and ends that program only',
      'user-reads-kernel': 'a program reads kernel memory: #PF with PROTECTION_VIOLATION | USER_MODE, the program is ended',
      'bad-pointer': 'SYS_WRITE with a kernel pointer, an unmapped one, one past its page, and fd 2: error values, the machine carries on',
      'timer-in-ring-3': 'a program spins in ring 3 for good: each timer interrupt runs on the TSS.RSP0 stack and returns to ring 3',
    },
    load: () => import('./main/userspace.js'),
  },
  preemption: {
    title: 'not a post: preemptive multitasking on the APIC timer — 8259s masked, keyboard through the I/O APIC, local APIC timer calibrated against the PIT, round-robin threads A, B, C printing in their colours beside the async keyboard echo',
    scenarios: {
      spinner: 'a fourth thread never yields (a busy loop animating the top-right corner with direct VGA stores): each timer tick still takes the CPU from it, so A, B and C keep printing',
      ring3: 'a fourth thread runs a user program (the userspace kernel\'s spin: SYS_WRITE, then loop {} at CPL 3): the timer preempts it in ring 3 — its handler on TSS.RSP0 — and A, B, C keep printing',
      exit: 'each letter thread ends after 10 letters, spawning its successor (the other shade of its colour) first: exit, the dead thread reaped (its host thread given back) by the next one to run, host threads reused',
      busy: 'the letter threads compute instead of sleeping (a letter every 2 ms of busy work): the timer slices them, a run of one letter per time slice',
      'missing-apic-eoi': 'the timer handler never writes the local APIC EOI register (the letter threads work as in busy): vector 0x20 stays in service, so PPR blocks its whole class 0x20-0x2F — no further tick, and no keyboard interrupt (0x21) either: one preemptive switch, A to B, then B keeps the CPU and nothing is echoed',
    },
    load: () => import('./main/preemption.js'),
  },
  'bench-irq': {
    title: 'not a post: reprograms the PIT to ≈99.4 kHz and acknowledges every tick (npm run bench)',
    scenarios: {},
    load: () => import('./main/bench-irq.js'),
  },
  'bench-switch': {
    title: 'not a post: two guest threads hand the CPU back and forth 2000 times, then exit 33 (npm run bench; needs cpu.threads ≥ 1)',
    scenarios: {
      io: 'the second thread writes its turn number to COM1 at each of its first 8 turns (port I/O from a guest-thread worker)',
      keep: 'the second thread keeps the CPU in `loop {}` with interrupts off: the machine-time limit ends the run',
      fault: 'the second thread divides by zero with no IDT: a triple fault while a worker holds the CPU',
    },
    load: () => import('./main/bench-switch.js'),
  },
  ...TEST_KERNEL_MAINS,
};

/** The newest post: what config/default.yaml runs. */
export const NEWEST_KERNEL = 'post-12';
