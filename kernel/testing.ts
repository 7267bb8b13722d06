// The custom test framework of post 04: Testable, test_runner, test_panic_handler, exit_qemu —
// results over the serial port, the verdict through isa-debug-exit, exactly as under QEMU.
import { outl } from '../cpu/isa.js';
import { hlt_loop } from './lib.js';
import { panic } from './panic.js';
import { serial_print, serial_println } from './serial.js';

/** repr(u32): QEMU turns a written v into status (v << 1) | 1: Success → 33, Failed → 35. */
export const QemuExitCode = { Success: 0x10, Failed: 0x11 } as const;

export function exit_qemu(code: number): void {
  outl(0xf4, code);
}

/** A test: its core::any::type_name and its body. */
export interface Testable {
  readonly name: string;
  run(): void;
}

export function testable(name: string, body: () => void): Testable {
  return {
    name,
    run() {
      serial_print(`${name}...\t`);
      body();
      serial_println('[ok]');
    },
  };
}

export function test_runner(tests: readonly Testable[]): void {
  serial_println(`Running ${tests.length} tests`);
  for (const t of tests) t.run();
  exit_qemu(QemuExitCode.Success);
}

export function test_panic_handler(info: string): never {
  serial_println('[failed]\n');
  serial_println(`Error: ${info}\n`);
  exit_qemu(QemuExitCode.Failed);
  return hlt_loop();
}

/** assert_eq!(left, right) with current Rust's failure text. */
export function assert_eq(left: unknown, right: unknown, location: string): void {
  if (left === right) return;
  panic(`assertion \`left == right\` failed\n  left: ${debug(left)}\n right: ${debug(right)}`, location);
}

function debug(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? v.toString() : String(v);
}
