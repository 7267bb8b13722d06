// conquer_once::spin::OnceCell<T>: a static initialised at most once, at run time. Its state word
// lives in simulated memory in front of the value, so a static region zeroed at boot (or by a
// machine reset) reads as uninitialised again:
//
//   addr + 0   state u32   0 uninit, 1 being initialised, 2 ready
//   addr + 8   the value's own bytes (for SCANCODE_QUEUE: the ArrayQueue)
//
// `view` rebuilds the typed handle on the value from its address (a handle holds no state).
import { load32, store32 } from '../../cpu/isa.js';

const UNINIT = 0;
const INITIALIZING = 1;
const READY = 2;
const VALUE = 8;

/** `conquer_once::TryGetError` */
export type TryGetError = 'Uninit' | 'WouldBlock';
/** `conquer_once::TryInitError` */
export type TryInitError = 'AlreadyInit' | 'WouldBlock';

export class OnceCell<T> {
  /** Bytes of a cell whose value takes `valueBytes`. */
  static bytes(valueBytes: number): number {
    return VALUE + valueBytes;
  }

  constructor(readonly addr: number, private readonly view: (valueAddr: number) => T) {}

  get valueAddr(): number {
    return this.addr + VALUE;
  }

  is_initialized(): boolean {
    return load32(this.addr) === READY;
  }

  /** The value, or why there is none yet. */
  try_get(): { ok: true; value: T } | { ok: false; error: TryGetError } {
    const state = load32(this.addr);
    if (state === READY) return { ok: true, value: this.view(this.valueAddr) };
    return { ok: false, error: state === INITIALIZING ? 'WouldBlock' : 'Uninit' };
  }

  /** Run `init` (which writes the value at valueAddr) unless the cell was ever initialised. */
  try_init_once(init: (valueAddr: number) => void): { ok: true } | { ok: false; error: TryInitError } {
    const state = load32(this.addr);
    if (state === READY) return { ok: false, error: 'AlreadyInit' };
    if (state === INITIALIZING) return { ok: false, error: 'WouldBlock' };
    store32(this.addr, INITIALIZING);
    init(this.valueAddr);
    store32(this.addr, READY);
    return { ok: true };
  }
}
