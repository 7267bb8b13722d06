// serial (post 04): SERIAL1 on COM1, created on first use, and serial_print!/serial_println!.
// From post 07 the lock is taken inside without_interrupts, as for the VGA writer.
import { features } from './features.js';
import { Lazy } from './lazy_static.js';
import { panic } from './panic.js';
import { Mutex } from './sync/spin.js';
import { Uart16550Tty } from './uart_16550.js';
import { interrupts } from './x86_64/instructions.js';

export const SERIAL1 = new Lazy(
  () => {
    const port = new Uart16550Tty(0x3f8);
    const err = port.init();
    if (err) panic(`failed to initialize UART: ${err}`, 'src/serial.rs:10:41');
    return new Mutex(port, 'blog_os::serial::SERIAL1::lock');
  },
  'blog_os::serial::SERIAL1::LAZY',
  // Another host thread's handle (cpu/threads.ts): the port, already initialised; its lock in memory.
  () => new Mutex(new Uart16550Tty(0x3f8), 'blog_os::serial::SERIAL1::lock'),
);

export function serial_print(text: string): void {
  const write = () => SERIAL1.get().with((s) => s.write_str(text));
  if (features().post >= 7) interrupts.without_interrupts(write);
  else write();
}

export function serial_println(text = ''): void {
  serial_print(text + '\n');
}
