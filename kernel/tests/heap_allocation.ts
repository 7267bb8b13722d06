// tests/heap_allocation.rs: the four heap tests of posts 10 and 11, as guest code. They run on
// whatever global allocator init_heap installed. Each test's body is exported, and
// HEAP_ALLOCATION_TESTS lists them with their type names for a test runner (post 10 runs the
// first three; post 11 adds many_boxes_long_lived).
//
// Source positions in assertion panics follow the blog's tests/heap_allocation.rs.
import { HEAP_SIZE } from '../allocator/index.js';
import { Box } from '../alloc/boxed.js';
import { U64 } from '../alloc/types.js';
import { Vec } from '../alloc/vec.js';
import { panic } from '../panic.js';

/** assert_eq!(left, right) with current Rust's failure text. */
function assert_eq(left: number, right: number, location: string): void {
  if (left !== right) panic(`assertion \`left == right\` failed\n  left: ${left}\n right: ${right}`, location);
}

export function simple_allocation(): void {
  const heap_value_1 = Box.new_i32(41);
  const heap_value_2 = Box.new_i32(13);
  assert_eq(heap_value_1.get(), 41, 'tests/heap_allocation.rs:35:5');
  assert_eq(heap_value_2.get(), 13, 'tests/heap_allocation.rs:36:5');
  // end of scope: locals drop in reverse order
  heap_value_2.drop();
  heap_value_1.drop();
}

export function large_vec(): void {
  const n = 1000;
  const vec = Vec.new(U64);
  for (let i = 0; i < n; i++) vec.push(i);
  assert_eq(vec.sum(), ((n - 1) * n) / 2, 'tests/heap_allocation.rs:46:5');
  vec.drop();
}

export function many_boxes(iterations: number = HEAP_SIZE): void {
  for (let i = 0; i < iterations; i++) {
    const x = Box.new_usize(i);
    assert_eq(x.get(), i, 'tests/heap_allocation.rs:53:9');
    x.drop();
  }
}

export function many_boxes_long_lived(iterations: number = HEAP_SIZE): void {
  const long_lived = Box.new_i32(1);
  for (let i = 0; i < iterations; i++) {
    const x = Box.new_usize(i);
    assert_eq(x.get(), i, 'tests/heap_allocation.rs:62:9');
    x.drop();
  }
  assert_eq(long_lived.get(), 1, 'tests/heap_allocation.rs:64:5');
  long_lived.drop();
}

export interface HeapTest {
  /** core::any::type_name of the test function, as the test runner prints it. */
  readonly name: string;
  readonly body: () => void;
}

/** The tests of `cargo test --test heap_allocation` at a post (10: three, 11 and later: four). */
export function heapAllocationTests(post = 11): readonly HeapTest[] {
  const all: HeapTest[] = [
    { name: 'heap_allocation::simple_allocation', body: simple_allocation },
    { name: 'heap_allocation::large_vec', body: large_vec },
    { name: 'heap_allocation::many_boxes', body: () => many_boxes() },
    { name: 'heap_allocation::many_boxes_long_lived', body: () => many_boxes_long_lived() },
  ];
  return post >= 11 ? all : all.slice(0, 3);
}

export const HEAP_ALLOCATION_TESTS = heapAllocationTests(11);
