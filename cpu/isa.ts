// The instructions the guest (firmware and kernel) may execute. This module is the guest's only
// way to reach hardware: port I/O, memory loads and stores through the MMU, flags, descriptor
// tables, control registers, calls. Each call is one instruction on the CPU running the guest on
// this thread. Functions the guest defines get addresses in a text region (`fn`).
import type { Cpu } from './cpu.js';
import { KERNEL_TEXT, TEXT, type TextRegion, type TextSymbol } from './text.js';
import { iretqInstruction, resumeContext as resume, runWithContext as runWith, softwareInterrupt } from './context.js';
import { loadGs64 as gsLoad, storeGs64 as gsStore, swapgs as swapGs, syscall as syscallInsn } from './syscall.js';

let cpu: Cpu | undefined;

/** Install the CPU that executes the guest on this thread (done by the CPU actor, or a test). */
export function bindCpu(c: Cpu | undefined): void {
  cpu = c;
}

function current(): Cpu {
  if (!cpu) throw new Error('no CPU is bound on this thread: guest code runs only inside a machine (or bindCpu in a test)');
  return cpu;
}

// ---- port I/O ---------------------------------------------------------------------------------
export function inb(port: number): number { return current().in(port, 1); }
export function inw(port: number): number { return current().in(port, 2); }
export function inl(port: number): number { return current().in(port, 4); }
export function outb(port: number, value: number): void { current().out(port, 1, value & 0xff); }
export function outw(port: number, value: number): void { current().out(port, 2, value & 0xffff); }
export function outl(port: number, value: number): void { current().out(port, 4, value >>> 0); }

// ---- memory (virtual addresses; with paging off they are physical) ---------------------------
export function load8(addr: number): number { return current().load(addr, 1); }
export function load16(addr: number): number { return current().load(addr, 2); }
export function load32(addr: number): number { return current().load(addr, 4); }
export function load64(addr: number): bigint { return current().load64(addr); }
export function store8(addr: number, value: number): void { current().store(addr, 1, value & 0xff); }
export function store16(addr: number, value: number): void { current().store(addr, 2, value & 0xffff); }
export function store32(addr: number, value: number): void { current().store(addr, 4, value >>> 0); }
export function store64(addr: number, value: bigint): void { current().store64(addr, value); }
/** `lock cmpxchg`: store `value` if the dword at addr equals `expected`; returns the old dword. */
export function cmpxchg32(addr: number, expected: number, value: number): number { return current().cmpxchg32(addr, expected, value >>> 0); }

// ---- flags and halting ------------------------------------------------------------------------
export function cli(): void { current().cli(); }
export function sti(): void { current().sti(); }
/** `pushfq; pop`: the RFLAGS value. */
export function readRflags(): number { const c = current(); c.boundary(); return c.rflags; }
export function hlt(): void { current().hlt(); }
export function pause(): void { current().pause(); }
/** `jmp $`: the body of Rust's `loop {}`. Never returns. */
export function jmpSelf(): never { return current().jmpSelf(); }
export function int3(): void { current().int3(); }
/** Unsigned division; a zero divisor raises #DE. */
export function div(dividend: number, divisor: number): number { return current().div(dividend, divisor); }

// ---- descriptor tables, segments, control registers ----------------------------------------------
export function lgdt(base: number, limit: number): void { current().system.lgdt(base, limit); }
export function lidt(base: number, limit: number): void { current().system.lidt(base, limit); }
export function ltr(selector: number): void { current().system.ltr(selector); }
/** Reload CS with a far return (`push sel; push rip; retfq`). */
export function loadCs(selector: number): void { current().system.loadCs(selector); }
export function loadSs(selector: number): void { current().system.loadSs(selector); }
export function readCs(): number { const c = current(); c.boundary(); return c.cs; }
export function readSs(): number { const c = current(); c.boundary(); return c.ss; }
export function readCr0(): number { return current().system.readCr(0); }
export function readCr2(): number { return current().system.readCr(2); }
export function readCr3(): number { return current().system.readCr(3); }
export function writeCr0(value: number): void { current().system.writeCr0(value); }
export function writeCr3(value: number): void { current().system.writeCr3(value); }
export function writeCr4(value: number): void { current().system.writeCr4(value); }
export function invlpg(addr: number): void { current().system.invlpg(addr); }
export function wrmsr(msr: number, value: number): void { current().system.wrmsr(msr, value); }
export function rdmsr(msr: number): number { return current().system.rdmsr(msr); }
export function readRsp(): number { const c = current(); c.boundary(); return c.rsp; }
/** `mov rsp, value` (the bootloader switching to the kernel stack). */
export function writeRsp(value: number): void { const c = current(); c.rsp = value; c.boundary(); }

// ---- code ---------------------------------------------------------------------------------------
export interface GuestFn<A extends unknown[], R> {
  (...args: A): R;
  readonly addr: number;
  readonly symbol: TextSymbol;
}

export interface FnOptions {
  /** Text region (default: the kernel's, at its link address 0x200000). */
  region?: TextRegion;
  /** Bytes of locals the function's prologue reserves below its return address. */
  frameBytes?: number;
}

/**
 * Define a guest function: it gets an address in a text region, and calling the returned wrapper
 * executes `call` (push the return address on the simulated stack, run, `ret`).
 */
export function fn<A extends unknown[], R>(name: string, impl: (...args: A) => R, options: FnOptions = {}): GuestFn<A, R> {
  const symbol = TEXT.define(options.region ?? KERNEL_TEXT, name, impl);
  const frameBytes = options.frameBytes ?? 0;
  const wrapper = (...args: A): R => current().call(symbol, args, frameBytes) as R;
  return Object.assign(wrapper, { addr: symbol.addr, symbol });
}

/**
 * Define an interrupt handler (`extern "x86-interrupt"`): only its address matters to the guest,
 * which stores it in an IDT gate; the CPU enters it with (frame address, error code).
 */
export function interruptHandler(name: string, impl: (frame: number, errorCode: number) => void): { readonly addr: number; readonly name: string } {
  const symbol = TEXT.define(KERNEL_TEXT, name, impl);
  return { addr: symbol.addr, name };
}

// ---- privilege levels (cpu/privilege.ts, cpu/syscall.ts, cpu/context.ts) ------------------------
/** `int n`: a software interrupt (from CPL 3 the gate's DPL must be 3). */
export function intn(vector: number): void { softwareInterrupt(current(), vector); }
/** `iretq`: pop RIP, CS, RFLAGS, RSP, SS from the stack and continue there (e.g. in a user program). */
export function iretq(): never { return iretqInstruction(current()); }
/** `syscall` with RAX = nr and RDI, RSI, RDX; returns RAX. */
export function syscall(nr: number, rdi = 0, rsi = 0, rdx = 0): number { return syscallInsn(current(), nr, rdi, rsi, rdx); }
export function swapgs(): void { swapGs(current()); }
/** `mov rax, gs:[offset]` */
export function loadGs64(offset: number): bigint { return gsLoad(current(), offset); }
/** `mov gs:[offset], rax` */
export function storeGs64(offset: number, value: bigint): void { gsStore(current(), offset, value); }
/** Save the kernel's context at `ctx` (CONTEXT_BYTES of kernel memory) and run `body` (cpu/context.ts). */
export function runWithContext(ctx: number, body: () => number): number { return runWith(current(), ctx, body); }
/** Switch back to the context saved at `ctx`: its runWithContext returns `value`. */
export function resumeContext(ctx: number, value: number): never { return resume(current(), ctx, value); }

/**
 * Define the kernel's system-call entry (the LSTAR target): called at CPL 0 with RAX, RDI, RSI,
 * RDX; what it returns is RAX, and its return is its `sysretq`.
 */
export function syscallEntry(name: string, impl: (nr: number, rdi: number, rsi: number, rdx: number) => number): { readonly addr: number; readonly name: string } {
  const symbol = TEXT.define(KERNEL_TEXT, name, impl);
  return { addr: symbol.addr, name };
}

// ---- guest threads (cpu/threads.ts): model-specific instructions ------------------------------
// Guest code is host code, so a guest thread's stack is a host stack: each guest thread runs on a
// host thread of its own and the CPU is a baton passed between them. A context block (CONTEXT_BYTES
// of kernel memory; layout in cpu/threads.ts) names a thread's saved RSP and its host thread.
export { CONTEXT_BYTES } from './threads.js';
/**
 * Prepare the context block at `ctx` for a new guest thread: take a free host thread for it (one of
 * the machine's `cpu.threads`) and write RSP = `stackTop`. The first switch to it calls `entry(arg)`
 * there with the CPU as the switcher left it (RFLAGS included). False when no host thread is free.
 */
export function threadCreate(ctx: number, entry: GuestFn<[number], never>, arg: number, stackTop: number): boolean {
  return current().threads.create(ctx, entry.addr, arg, stackTop);
}
/**
 * `switch_to(prev, next)`: save RSP and this host thread in the context block at `prev`, load RSP
 * and the host thread from `next`, and continue there. Returns when a later switch names `prev`.
 */
export function threadSwitch(prev: number, next: number): void { current().threads.switchTo(prev, next); }
/** Give back the host thread of the (not running) context at `ctx`: its host stack is discarded. */
export function threadRelease(ctx: number): void { current().threads.release(ctx); }
