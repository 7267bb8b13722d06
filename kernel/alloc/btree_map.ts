// alloc::collections::BTreeMap<u64, V>, as the executor uses it (insert, get, remove, len): the
// entries live in heap nodes of CAPACITY = 11 key/value pairs (the real map's B = 6), kept in key
// order. The first insert allocates a node, a full node splits in two, a node left empty is freed,
// and an empty map owns no memory — the allocation pattern of the real map.
//
// Deliberate simplification: the nodes form one sorted chain of leaves (each with a pointer to
// the next) instead of a tree with internal nodes, so a lookup walks the chain. The executor's
// maps hold a handful of tasks; a leaf of a real BTreeMap<TaskId, Task> has the same size (364
// bytes → 368 here: len, next, 11 keys, 11 values).
//
//   node + 0                 len    u16
//   node + 8                 next   Option<&Node>   (0 = None)
//   node + 16                keys   [u64; 11]
//   node + 16 + 8·11         vals   [V; 11]
//
// The map struct itself ({ root, length }, on the Rust stack or in the Executor) is a JS object.
import { load16, store16 } from '../../cpu/isa.js';
import { align_up, alloc_or_oom, copy_nonoverlapping, dealloc, loadUsize, storeUsize, type Layout } from '../allocator/global.js';
import type { ValueType } from './types.js';

export const CAPACITY = 11;
const LEN = 0;
const NEXT = 8;
const KEYS = 16;
const VALS = KEYS + 8 * CAPACITY;

export class BTreeMap<V> {
  /** The first node (0: the map owns no memory). */
  private root = 0;
  private length = 0;

  private constructor(readonly value: ValueType<V>) {
    if (value.align > 8) throw new Error('BTreeMap: values aligned above 8 are not supported');
  }

  /** BTreeMap::new(): empty, no allocation. */
  static new<V>(value: ValueType<V>): BTreeMap<V> {
    return new BTreeMap(value);
  }

  /** The layout of one node. */
  node_layout(): Layout {
    return { size: align_up(VALS + CAPACITY * align_up(this.value.size, this.value.align), 8), align: 8 };
  }

  len(): number {
    return this.length;
  }

  is_empty(): boolean {
    return this.length === 0;
  }

  contains_key(key: number): boolean {
    return this.get_ptr(key) !== 0;
  }

  /** `get(&key)`: the value, read from its slot. */
  get(key: number): V | undefined {
    const at = this.get_ptr(key);
    return at === 0 ? undefined : this.value.read(at);
  }

  /** The address of the value stored under `key` (`get_mut`), or 0. */
  get_ptr(key: number): number {
    for (let node = this.root; node !== 0; node = loadUsize(node + NEXT)) {
      const len = load16(node + LEN);
      if (key > this.key(node, len - 1)) continue;
      const i = this.search(node, len, key);
      return i < len && this.key(node, i) === key ? this.val(node, i) : 0;
    }
    return 0;
  }

  /** `insert(key, value)`: true (Some(old), which is dropped) if the key was present; the value is replaced. */
  insert(key: number, value: V): boolean {
    if (this.root === 0) this.root = this.new_node(0);
    // The node that takes the key: the first whose last key ≥ key, else the last node.
    let node = this.root;
    for (;;) {
      const next = loadUsize(node + NEXT);
      const len = load16(node + LEN);
      if (next === 0 || (len > 0 && key <= this.key(node, len - 1))) break;
      node = next;
    }
    let len = load16(node + LEN);
    let i = this.search(node, len, key);
    if (i < len && this.key(node, i) === key) {
      this.value.drop?.(this.val(node, i));
      this.value.write(this.val(node, i), value);
      return true;
    }
    if (len === CAPACITY) {
      // Split: the upper half moves to a new node linked after this one.
      const half = CAPACITY >> 1;
      const right = this.new_node(loadUsize(node + NEXT));
      this.move_entries(node, half + 1, right, 0, CAPACITY - half - 1);
      store16(right + LEN, CAPACITY - half - 1);
      store16(node + LEN, half + 1);
      storeUsize(node + NEXT, right);
      if (i > half) {
        node = right;
        i -= half + 1;
      }
      len = load16(node + LEN);
    }
    this.move_entries(node, i, node, i + 1, len - i);
    storeUsize(node + KEYS + 8 * i, key);
    this.value.write(this.val(node, i), value);
    store16(node + LEN, len + 1);
    this.length++;
    return false;
  }

  /** `remove(&key)`: the value, moved out (the caller drops it), or undefined. */
  remove(key: number): V | undefined {
    let prev = 0;
    for (let node = this.root; node !== 0; prev = node, node = loadUsize(node + NEXT)) {
      const len = load16(node + LEN);
      if (key > this.key(node, len - 1)) continue;
      const i = this.search(node, len, key);
      if (i >= len || this.key(node, i) !== key) return undefined;
      const value = this.value.read(this.val(node, i));
      this.move_entries(node, i + 1, node, i, len - i - 1);
      store16(node + LEN, len - 1);
      this.length--;
      if (len === 1) {
        const next = loadUsize(node + NEXT);
        if (prev === 0) this.root = next;
        else storeUsize(prev + NEXT, next);
        dealloc(node, this.node_layout());
      }
      return value;
    }
    return undefined;
  }

  /** The keys, in order. */
  keys(): number[] {
    const out: number[] = [];
    for (let node = this.root; node !== 0; node = loadUsize(node + NEXT)) {
      const len = load16(node + LEN);
      for (let i = 0; i < len; i++) out.push(this.key(node, i));
    }
    return out;
  }

  /** The heap nodes, in order (tests). */
  nodes(): number[] {
    const out: number[] = [];
    for (let node = this.root; node !== 0; node = loadUsize(node + NEXT)) out.push(node);
    return out;
  }

  private new_node(next: number): number {
    const node = alloc_or_oom(this.node_layout());
    store16(node + LEN, 0);
    storeUsize(node + NEXT, next);
    return node;
  }

  private key(node: number, i: number): number {
    return loadUsize(node + KEYS + 8 * i);
  }

  private val(node: number, i: number): number {
    return node + VALS + i * align_up(this.value.size, this.value.align);
  }

  /** The first index whose key is ≥ key (len if none). */
  private search(node: number, len: number, key: number): number {
    let i = 0;
    while (i < len && this.key(node, i) < key) i++;
    return i;
  }

  /** Move `n` entries (keys and values) from index `from` of `src` to index `to` of `dst` (ranges may overlap). */
  private move_entries(src: number, from: number, dst: number, to: number, n: number): void {
    if (n <= 0) return;
    const stride = align_up(this.value.size, this.value.align);
    const order = src === dst && to > from ? [...Array(n).keys()].reverse() : [...Array(n).keys()];
    for (const k of order) {
      storeUsize(dst + KEYS + 8 * (to + k), this.key(src, from + k));
      copy_nonoverlapping(this.val(src, from + k), this.val(dst, to + k), stride);
    }
  }
}
