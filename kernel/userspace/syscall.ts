// The kernel's system-call layer: SYSCALL enabled through EFER.SCE, STAR (kernel CS 0x08 and SS
// 0x10; user SS 0x1b and CS 0x23), LSTAR = the entry below, SFMASK clearing IF, TF and DF, and
// KernelGSBase = the per-CPU block. The entry swaps GS, saves the user RSP there and switches to
// its own kernel stack (SYSCALL does not switch stacks), then dispatches on RAX:
//   SYS_WRITE = 1 (fd, buf, len): fd 1 → the VGA writer and COM1, returns len; any other fd →
//     EBADF; a buffer that is not wholly inside the running program's memory → EFAULT (checked
//     before the kernel touches it: a bad pointer is an error value, never a kernel fault).
//   SYS_EXIT = 60 (status): the program ends; run_program prints `status & 0xff`.
//   anything else → ENOSYS. Error values are negative, as Linux returns them.
import { loadGs64, load8, rdmsr, readRsp, storeGs64, store64, swapgs, syscallEntry, wrmsr, writeRsp } from '../../cpu/isa.js';
import { TSS } from '../gdt.js';
import { serial_print } from '../serial.js';
import { staticAlloc } from '../statics.js';
import { print } from '../vga_buffer.js';
import { current_program, end_program } from './process.js';
import { SYS_EXIT, SYS_WRITE } from './ulib.js';

export const EBADF = -9;
export const EFAULT = -14;
export const ENOSYS = -38;

const MSR_EFER = 0xc0000080;
const MSR_STAR = 0xc0000081;
const MSR_LSTAR = 0xc0000082;
const MSR_SFMASK = 0xc0000084;
const MSR_KERNEL_GS_BASE = 0xc0000102;
const EFER_SCE = 1;
const KERNEL_CS = 0x08;
/** STAR[63:48]: SYSRET loads SS = this + 8 (user data, 0x1b) and CS = this + 16 (user code, 0x23). */
const SYSRET_BASE = 0x10;
const SFMASK = (1 << 9) | (1 << 8) | (1 << 10); // IF, TF, DF

const STACK_SIZE = 4096 * 4;
/** The system-call entry's own kernel stack. */
const SYSCALL_STACK = staticAlloc('actorpc::userspace::SYSCALL_STACK', STACK_SIZE, 16);
/** TSS.RSP0: the stack interrupts and exceptions taken in ring 3 run on. */
const PRIVILEGE_STACK = staticAlloc('actorpc::userspace::RSP0_STACK', STACK_SIZE, 16);
/** The per-CPU block GS points at inside the kernel: [0] the syscall stack's top, [8] the user RSP. */
const PER_CPU = staticAlloc('actorpc::userspace::PER_CPU', 16, 16);
const KERNEL_RSP = 0;
const USER_RSP = 8;

export const SYSCALL_STACK_RANGE = { start: SYSCALL_STACK, end: SYSCALL_STACK + STACK_SIZE };
export const PRIVILEGE_STACK_RANGE = { start: PRIVILEGE_STACK, end: PRIVILEGE_STACK + STACK_SIZE };

/** Is [addr, addr + len) wholly inside the running program's own memory? */
function user_buffer_ok(addr: number, len: number): boolean {
  const p = current_program();
  if (!p || !Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr < 0 || len < 0) return false;
  return p.regions.some(([start, end]) => addr >= start && addr + len <= end);
}

function sys_write(fd: number, buf: number, len: number): number {
  if (fd !== 1) return EBADF;
  if (!user_buffer_ok(buf, len)) return EFAULT;
  let text = '';
  for (let i = 0; i < len; i++) text += String.fromCharCode(load8(buf + i));
  print(text);
  serial_print(text);
  return len;
}

function dispatch(nr: number, rdi: number, rsi: number, rdx: number): number {
  switch (nr) {
    case SYS_WRITE: return sys_write(rdi, rsi, rdx);
    case SYS_EXIT:
      swapgs(); // as the return to user mode would: GS is the user's again
      return end_program(rdi & 0xff);
    default: return ENOSYS;
  }
}

/** LSTAR: entered at CPL 0 with IF clear, on the user's stack. */
const syscall_entry = syscallEntry('actorpc_kernel::userspace::syscall_entry', (nr, rdi, rsi, rdx) => {
  swapgs();
  storeGs64(USER_RSP, BigInt(readRsp()));
  writeRsp(Number(loadGs64(KERNEL_RSP)));
  const result = dispatch(nr, rdi, rsi, rdx);
  writeRsp(Number(loadGs64(USER_RSP)));
  swapgs();
  return result; // RAX; the entry's return is its sysretq
});

/** Program the MSRs, the per-CPU block and TSS.RSP0 (after gdt::init). */
export function syscall_init(): void {
  store64(PER_CPU + KERNEL_RSP, BigInt(SYSCALL_STACK + STACK_SIZE));
  wrmsr(MSR_KERNEL_GS_BASE, PER_CPU);
  wrmsr(MSR_STAR, SYSRET_BASE * 2 ** 48 + KERNEL_CS * 2 ** 32);
  wrmsr(MSR_LSTAR, syscall_entry.addr);
  wrmsr(MSR_SFMASK, SFMASK);
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
  TSS.get().set_privilege_stack(0, PRIVILEGE_STACK + STACK_SIZE);
}
