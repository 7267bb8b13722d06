// The user programs the userspace kernel runs: the toy-OS guide's "Hello from ring 3!" twice, and
// one program per scenario doing what ring 3 may not.
import { cli, jmpSelf, load8 } from '../../cpu/isa.js';
import { KERNEL_DATA_BASE } from '../statics.js';
import { bytes, defineProgram, PAGE, type UserProgram } from './program.js';
import { store_text, sys_exit, sys_write } from './ulib.js';

const HELLO = 'Hello from ring 3!\n';

/** write(1, "Hello from ring 3!\n"), then exit(0). */
export const hello = defineProgram('hello', 0, (layout, { fn }) => ({
  start: fn('_start', (): never => {
    sys_write(1, layout.data, HELLO.length);
    return sys_exit(0);
  }),
  data: bytes(HELLO),
}));

/** The same greeting, then exit with the byte count SYS_WRITE returned (19). */
export const hello_again = defineProgram('hello-again', 1, (layout, { fn }) => ({
  start: fn('_start', (): never => {
    const written = sys_write(1, layout.data, HELLO.length);
    return sys_exit(written);
  }),
  data: bytes(HELLO),
}));

/** `cli` in ring 3 (IOPL 0): #GP(0). */
export const user_cli = defineProgram('user-cli', 2, (_layout, { fn }) => ({
  start: fn('_start', (): never => {
    cli();
    return sys_exit(0);
  }),
}));

/** A load from the kernel's data (a supervisor page): #PF, PROTECTION_VIOLATION | USER_MODE. */
export const user_reads_kernel = defineProgram('user-reads-kernel', 3, (_layout, { fn }) => ({
  start: fn('_start', (): never => {
    const secret = load8(KERNEL_DATA_BASE);
    return sys_exit(secret);
  }),
}));

/** SYS_WRITE with a kernel pointer, an unmapped one, one running past its page, and a bad fd: error values, then a report. */
export const bad_pointer = defineProgram('bad-pointer', 4, (layout, { fn }) => ({
  start: fn('_start', (): never => {
    const kernel = sys_write(1, KERNEL_DATA_BASE, 16);
    const unmapped = sys_write(1, 0xdead0000, 4);
    const straddling = sys_write(1, layout.data + PAGE - 4, 8); // its data page ends after 4 bytes
    const bad_fd = sys_write(2, layout.data, HELLO.length);
    const report = layout.data + 0x100;
    const len = store_text(report, `SYS_WRITE: ${kernel} kernel pointer, ${unmapped} unmapped, ${straddling} past its page, ${bad_fd} fd 2\n`);
    sys_write(1, report, len);
    return sys_exit(0);
  }),
  data: bytes(HELLO),
}));

/** Says so, then spins in ring 3 for good (`loop {}`): only interrupts take the CPU away. */
export const spin = defineProgram('spin', 5, (layout, { fn }) => ({
  start: fn('_start', (): never => {
    sys_write(1, layout.data, 19);
    return jmpSelf();
  }),
  data: bytes('spinning in ring 3\n'),
}));

/** Which programs kernel_main runs, one after the other, for a scenario. */
export function programsFor(scenario: string | undefined): UserProgram[] {
  switch (scenario) {
    case 'user-cli': return [user_cli, hello];
    case 'user-reads-kernel': return [user_reads_kernel, hello];
    case 'bad-pointer': return [bad_pointer, hello];
    case 'timer-in-ring-3': return [hello, spin];
    default: return [hello, hello_again];
  }
}
