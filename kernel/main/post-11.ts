// The kernel after post 11 (Allocator Designs): the same heap, served by the fixed-size block
// allocator (kernel.allocator picks another design).
import { heapPostEntry } from './heap-post.js';

export const entry = heapPostEntry(11);
