// The user side of the system-call ABI (the toy-OS guide's): the number in RAX, arguments in RDI,
// RSI, RDX, the result in RAX. Inline helpers — code that runs inside the calling program, at CPL 3.
import { jmpSelf, store8, syscall } from '../../cpu/isa.js';

export const SYS_WRITE = 1;
export const SYS_EXIT = 60;

/** write(fd, buf, len): the byte count, or a negative error value. */
export function sys_write(fd: number, buf: number, len: number): number {
  return syscall(SYS_WRITE, fd, buf, len);
}

/** exit(status): does not return. */
export function sys_exit(status: number): never {
  syscall(SYS_EXIT, status);
  return jmpSelf(); // not reached: the kernel never returns from SYS_EXIT
}

/** Store `text` at `addr` (the program's own memory), one byte at a time; returns its length. */
export function store_text(addr: number, text: string): number {
  for (let i = 0; i < text.length; i++) store8(addr + i, text.charCodeAt(i));
  return text.length;
}
