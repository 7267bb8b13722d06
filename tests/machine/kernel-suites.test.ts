// The kernel's own test suites (post 04's framework at post 12), each booted in its own machine
// with serial + isa-debug-exit, exactly as `cargo test` runs them under QEMU.
import { describe, expect, it } from 'vitest';
import { runSuite, SUITE_NAMES } from '../../machine/cli/test.js';

describe('kernel test suites', () => {
  it('has the blog\'s suites: lib, bin and the integration tests', () => {
    expect(SUITE_NAMES).toEqual(['lib', 'bin', 'basic_boot', 'heap_allocation', 'should_panic', 'stack_overflow']);
  });

  it('lib: "Running 4 tests" and four [ok] lines, exit status 33', async () => {
    const r = await runSuite('lib');
    expect(r).toMatchObject({ passed: true, status: 33 });
    expect(r.serial).toBe(
      'Running 4 tests\r\n' +
        'blog_os::interrupts::test_breakpoint_exception...\t[ok]\r\n' +
        'blog_os::vga_buffer::test_println_simple...\t[ok]\r\n' +
        'blog_os::vga_buffer::test_println_many...\t[ok]\r\n' +
        'blog_os::vga_buffer::test_println_output...\t[ok]\r\n',
    );
  });

  it.each([
    ['bin', 'Running 1 tests\r\nblog_os::trivial_assertion...\t[ok]\r\n'],
    ['basic_boot', 'Running 1 tests\r\nbasic_boot::test_println...\t[ok]\r\n'],
    ['should_panic', 'should_panic::should_fail...\t[ok]\r\n'],
    ['stack_overflow', 'stack_overflow::stack_overflow...\t[ok]\r\n'],
  ])('%s passes with the blog\'s transcript', async (suite, transcript) => {
    const r = await runSuite(suite);
    expect(r.passed).toBe(true);
    expect(r.serial).toBe(transcript);
  });

  it('heap_allocation passes its four tests on the fixed-size block allocator', async () => {
    const r = await runSuite('heap_allocation');
    expect(r.passed).toBe(true);
    expect(r.serial).toContain('heap_allocation::many_boxes_long_lived...\t[ok]');
  });

  it('with kernel.allocator: bump, many_boxes_long_lived fails as the blog shows (status 35)', async () => {
    const r = await runSuite('heap_allocation', { allocator: 'bump' });
    expect(r).toMatchObject({ passed: false, status: 35 });
    expect(r.serial).toContain('heap_allocation::many_boxes...\t[ok]');
    expect(r.serial).toMatch(/heap_allocation::many_boxes_long_lived\.\.\.\t\[failed\]\r\n\r\nError: panicked at .*:\r\nmemory allocation of 8 bytes failed\r\n/);
  });

  it('a suite that never reaches the exit device times out in machine time', async () => {
    const r = await runSuite('lib', { timeoutNs: 1e6 });
    expect(r.passed).toBe(false);
    expect(r.why).toContain('Test timed out after 1ms of machine time');
  });
});
