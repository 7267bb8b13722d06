// The instructions the guest (firmware and kernel) may execute. This module is the guest's only
// way to reach hardware: port I/O, memory loads and stores, flags. Each call is one instruction
// on the CPU that is running the guest on this thread.
import type { Cpu } from './cpu.js';

let cpu: Cpu | undefined;

/** Install the CPU that executes the guest on this thread (done by the CPU actor, or a test). */
export function bindCpu(c: Cpu | undefined): void {
  cpu = c;
}

function current(): Cpu {
  if (!cpu) throw new Error('no CPU is bound on this thread: guest code runs only inside a machine (or bindCpu in a test)');
  return cpu;
}

export function inb(port: number): number { return current().in(port, 1); }
export function inw(port: number): number { return current().in(port, 2); }
export function inl(port: number): number { return current().in(port, 4); }
export function outb(port: number, value: number): void { current().out(port, 1, value & 0xff); }
export function outw(port: number, value: number): void { current().out(port, 2, value & 0xffff); }
export function outl(port: number, value: number): void { current().out(port, 4, value >>> 0); }

export function load8(addr: number): number { return current().load8(addr); }
export function load16(addr: number): number { return current().load16(addr); }
export function load32(addr: number): number { return current().load32(addr); }
export function load64(addr: number): bigint { return current().load64(addr); }
export function store8(addr: number, value: number): void { current().store8(addr, value & 0xff); }
export function store16(addr: number, value: number): void { current().store16(addr, value & 0xffff); }
export function store32(addr: number, value: number): void { current().store32(addr, value); }
export function store64(addr: number, value: bigint): void { current().store64(addr, value); }

export function cli(): void { current().cli(); }
export function pause(): void { current().pause(); }
/** `jmp $`: the body of Rust's `loop {}`. Never returns. */
export function jmpSelf(): never { return current().jmpSelf(); }
