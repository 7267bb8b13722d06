// Loading and running a user program. run_program maps the program's pages, copies its data,
// builds an iretq frame (user CS and SS with RPL 3, the user stack, IF set) and executes iretq;
// the program then runs at CPL 3 until SYS_EXIT or a fatal fault ends it. Either way the kernel
// switches back to the context run_program saved (isa.runWithContext / resumeContext: on hardware
// a load of the saved kernel RSP; here it also unwinds the host frames of the program and the
// handler that ended it — docs/ARCHITECTURE.md "Privilege levels and user programs"). Then the
// pages are unmapped again (their frames are not reused: this kernel has no frame deallocator).
import { iretq, load64, readRsp, resumeContext, runWithContext, store64, store8, writeRsp } from '../../cpu/isa.js';
import { GDT } from '../gdt.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { println } from '../vga_buffer.js';
import { VirtAddr, expect } from '../x86_64/addr.js';
import { Page, PageTableFlags as F, type FrameAllocator, type OffsetPageTable } from '../x86_64/paging.js';
import { PAGE, STACK_PAGES, type UserProgram } from './program.js';

/** What run_program returns for a program the kernel ended (exit statuses are 0..255). */
export const KILLED = -1;
const RFLAGS_IF = 1 << 9;
/** The saved kernel context (isa CONTEXT_BYTES: token, RIP, RSP, RFLAGS, CS, SS). */
const RUN_CONTEXT = staticAlloc('actorpc::userspace::RUN_CONTEXT', 48, 8);
/** Index + 1 of the running program in PROGRAMS, 0 when none runs. */
const CURRENT = staticAlloc('actorpc::userspace::CURRENT', 8, 8);

/** Programs by index (code, like the kernel's other tables of functions). */
const PROGRAMS: UserProgram[] = [];

export function current_program(): UserProgram | undefined {
  const i = Number(load64(CURRENT));
  return i ? PROGRAMS[i - 1] : undefined;
}

function pages(from: number, count: number): Page[] {
  return Array.from({ length: count }, (_, i) => Page.containing_address(VirtAddr.new(from + i * PAGE)));
}

function program_pages(p: UserProgram): Array<[Page, bigint]> {
  const user = F.PRESENT | F.USER_ACCESSIBLE;
  const data = user | F.WRITABLE | F.NO_EXECUTE;
  return [
    [pages(p.layout.text, 1)[0], user],
    [pages(p.layout.data, 1)[0], data],
    ...pages(p.layout.stackBottom, STACK_PAGES).map((pg): [Page, bigint] => [pg, data]),
  ];
}

/** Map `p`'s pages (zeroed) and copy its data: what run_program does first. */
export function load_program(p: UserProgram, mapper: OffsetPageTable, frames: FrameAllocator): void {
  for (const [page, flags] of program_pages(p)) {
    const frame = frames.allocate_frame();
    if (!frame) return panic('no free frame for a user page', 'src/userspace/process.rs:46:27');
    // A fresh frame holds whatever was there: zero it through the physical-memory mapping (the
    // text page is read-only to everyone once mapped, with CR0.WP set).
    const at = mapper.phys_offset.as_u64() + frame.start_address().as_u64();
    for (let off = 0; off < PAGE; off += 8) store64(at + off, 0n);
    expect(mapper.map_to(page, frame, flags, frames), 'mapping a user page failed', 'src/userspace/process.rs:48:9').flush();
  }
  p.data.forEach((b, i) => store8(p.layout.data + i, b));
}

function unload(p: UserProgram, mapper: OffsetPageTable): void {
  for (const [page] of program_pages(p)) {
    const r = mapper.unmap(page);
    if (r.ok) r.value[1].flush();
  }
}

/** iretq into the program: RIP = _start, CS = user code, RFLAGS = IF, RSP = its stack, SS = user data. */
function enter_user(p: UserProgram): never {
  const { user_code_selector, user_data_selector } = GDT.get().selectors;
  if (!user_code_selector || !user_data_selector) throw new Error('the GDT has no user segments: features().userspace is off');
  const user_rsp = p.layout.stackTop - 8;
  store64(user_rsp, 0n); // _start's return address: 0 (returning from _start faults)
  const frame = readRsp() - 40;
  store64(frame, BigInt(p.entry));
  store64(frame + 8, BigInt(user_code_selector.value));
  store64(frame + 16, BigInt(RFLAGS_IF | 2));
  store64(frame + 24, BigInt(user_rsp));
  store64(frame + 32, BigInt(user_data_selector.value));
  writeRsp(frame);
  return iretq();
}

/** Load and run `p` at CPL 3 until it exits or is ended; prints and returns its status. */
export function run_program(p: UserProgram, mapper: OffsetPageTable, frames: FrameAllocator): number {
  load_program(p, mapper, frames);
  const status = run_loaded_program(p);
  unload(p, mapper);
  return status;
}

/**
 * Run `p`, whose pages load_program mapped, at CPL 3 until it exits or is ended; prints and
 * returns its status. (A guest thread runs a program this way: its pages were mapped by the boot
 * thread, whose frame allocator the thread has not.)
 */
export function run_loaded_program(p: UserProgram): number {
  if (!PROGRAMS.includes(p)) PROGRAMS.push(p);
  store64(CURRENT, BigInt(PROGRAMS.indexOf(p) + 1));
  const status = runWithContext(RUN_CONTEXT, () => enter_user(p));
  store64(CURRENT, 0n);
  if (status !== KILLED) println(`[kernel] ${p.name} exited with status ${status}`);
  return status;
}

/** End the running program (SYS_EXIT, or a fault the kernel finds fatal): back into run_program. */
export function end_program(status: number): never {
  return resumeContext(RUN_CONTEXT, status);
}
