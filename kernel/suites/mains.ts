// The test binaries as kernel entries (`kernel.main: test-<suite>`), booted by `actorpc test`.
import type { KernelEntry } from '../mains.js';

const suite = (name: string, title: string): KernelEntry => ({
  title: `test suite ${name}: ${title}`,
  scenarios: {},
  load: async () => {
    const { SUITES } = await import('./entries.js');
    return { entry: () => SUITES[name]() };
  },
});

export const TEST_KERNEL_MAINS: Readonly<Record<string, KernelEntry>> = {
  'test-lib': suite('lib', 'the library\'s 4 unit tests after init()'),
  'test-bin': suite('bin', 'main.rs under test: trivial_assertion'),
  'test-basic_boot': suite('basic_boot', 'println works with no initialisation'),
  'test-heap_allocation': suite('heap_allocation', 'simple_allocation, large_vec, many_boxes, many_boxes_long_lived'),
  'test-should_panic': suite('should_panic', 'passes when assert_eq!(0, 1) panics'),
  'test-stack_overflow': suite('stack_overflow', 'a stack overflow\'s double fault runs on IST1'),
};
