// A user program: guest functions linked into their own part of the user text range (cpu/text.ts
// USER_TEXT), run at CPL 3, plus the initial bytes of its data page. Each program has the same
// shape of address space, at its own base (one page table is shared, and the kernel maps only the
// running program's pages):
//
//   base + 0x00000  text    1 page   PRESENT | USER_ACCESSIBLE (read, execute)
//   base + 0x10000  data    1 page   PRESENT | WRITABLE | USER_ACCESSIBLE | NO_EXECUTE
//   base + 0x7e000  stack   2 pages  PRESENT | WRITABLE | USER_ACCESSIBLE | NO_EXECUTE (below: unmapped)
import { fn, type GuestFn } from '../../cpu/isa.js';
import { USER_TEXT, type TextRegion } from '../../cpu/text.js';

export const PROGRAM_SPAN = 0x100000;
export const PAGE = 0x1000;
export const STACK_PAGES = 2;

export interface ProgramLayout {
  readonly text: number;
  readonly data: number;
  readonly stackBottom: number;
  readonly stackTop: number;
}

export interface UserProgram {
  readonly name: string;
  readonly layout: ProgramLayout;
  /** `_start`: where iretq enters the program. */
  readonly entry: number;
  /** The data page's initial bytes (its .data/.rodata). */
  readonly data: Uint8Array;
  /** [start, end) ranges of the program's own memory (what a system call may read). */
  readonly regions: ReadonlyArray<readonly [number, number]>;
}

export function programLayout(index: number): ProgramLayout {
  const text = USER_TEXT.base + index * PROGRAM_SPAN;
  const stackTop = text + 0x80000;
  return { text, data: text + 0x10000, stackBottom: stackTop - STACK_PAGES * PAGE, stackTop };
}

export interface ProgramParts {
  /** Define a function of the program (in its text page). */
  fn<A extends unknown[], R>(name: string, impl: (...args: A) => R): GuestFn<A, R>;
}

/**
 * Link program `name` at slot `index` of the user text range: `build` defines its functions (the
 * first one it returns is `_start`) and gives its initial data.
 */
export function defineProgram(
  name: string,
  index: number,
  build: (layout: ProgramLayout, parts: ProgramParts) => { start: GuestFn<[], never>; data?: Uint8Array },
): UserProgram {
  const layout = programLayout(index);
  const region: TextRegion = { name: `user:${name}`, base: layout.text, size: PAGE };
  const parts: ProgramParts = { fn: (fname, impl) => fn(`${name}::${fname}`, impl, { region }) };
  const { start, data = new Uint8Array(0) } = build(layout, parts);
  if (data.length > PAGE) throw new Error(`user program ${name}: data is larger than its page`);
  return {
    name,
    layout,
    entry: start.addr,
    data,
    regions: [[layout.text, layout.text + PAGE], [layout.data, layout.data + PAGE], [layout.stackBottom, layout.stackTop]],
  };
}

/** ASCII text as bytes. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
