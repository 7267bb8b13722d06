// `cargo test --lib` at post 12: the library's own tests (4), run by the lib test entry after init().
import { interrupts } from '../x86_64/instructions.js';
import { BUFFER_HEIGHT, println, readChar, WRITER } from '../vga_buffer.js';
import { assert_eq, testable, type Testable } from '../testing.js';

export const LIB_TESTS: readonly Testable[] = [
  testable('blog_os::interrupts::test_breakpoint_exception', () => {
    interrupts.int3(); // passes if execution continues after the breakpoint handler
  }),
  testable('blog_os::vga_buffer::test_println_simple', () => {
    println('test_println_simple output');
  }),
  testable('blog_os::vga_buffer::test_println_many', () => {
    for (let i = 0; i < 200; i++) println('test_println_many output');
  }),
  testable('blog_os::vga_buffer::test_println_output', () => {
    // Post 07's interrupt-safe version: one lock, a leading newline, compare while holding it.
    const s = 'Some test string that fits on a single line';
    interrupts.without_interrupts(() => {
      WRITER.get().with((w) => {
        w.writeString(`\n${s}\n`);
        for (let i = 0; i < s.length; i++) assert_eq(String.fromCharCode(readChar(BUFFER_HEIGHT - 2, i)), s[i], 'src/vga_buffer.rs:202:13');
      });
    });
  }),
];

