// The kernel after post 10 (Heap Allocation): the heap at 0x4444_4444_0000 served by a
// linked_list_allocator-style heap; Box, Vec and Rc live in simulated memory.
import { heapPostEntry } from './heap-post.js';

export const entry = heapPostEntry(10);
