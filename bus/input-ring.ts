// Host input on its way to a device: key events written by the main thread's input adapters into
// an SPSC ring (the same binary ring the traces use, read the other way), drained by the device's
// shell when the CPU services the device — so input takes effect on the CPU's timeline, for
// worker and inline devices alike (an inline device has no event loop to receive messages).
import { TraceRingReader, TraceRingWriter, allocateRing } from './trace-ring.js';

export interface QueuedInput {
  readonly key: string;
  readonly down: boolean;
  /** Absolute machine time (ns) — from a script — or undefined for "delay ns after delivery". */
  readonly at?: number;
  readonly delay?: number;
  /** Serial input: bytes rather than a key. */
  readonly bytes?: readonly number[];
}

/** Room for about 25 000 queued key events (all of a script is queued at start). */
export function allocateInputRing(): SharedArrayBuffer {
  return allocateRing(1 << 20);
}

export class InputOverflowError extends Error {}

export class InputRingWriter {
  private readonly ring: TraceRingWriter;
  private seq = 0;
  constructor(sab: SharedArrayBuffer) {
    this.ring = new TraceRingWriter(sab);
    this.ring.blockLimitMs = 0; // the main thread never blocks on input: a full ring is an error
  }
  push(e: QueuedInput): void {
    const bytes = e.bytes ? Buffer.from(e.bytes).toString('hex') : undefined;
    this.ring.write(this.seq++, 0, 'key', 'host', { key: e.key, down: e.down, at: e.at, delay: e.delay, bytes });
    if (this.ring.dropped) throw new InputOverflowError('more key events than the input ring holds at once (about 25 000): split the input script');
  }
}

export class InputRingReader {
  private readonly ring: TraceRingReader;
  constructor(sab: SharedArrayBuffer) {
    this.ring = new TraceRingReader(sab);
  }
  drain(): QueuedInput[] {
    const out: Array<Record<string, unknown>> = [];
    this.ring.drain(out as never);
    return out.map((r) => ({
      key: String(r.key),
      down: r.down === true,
      at: typeof r.at === 'number' ? r.at : undefined,
      delay: typeof r.delay === 'number' ? r.delay : undefined,
      bytes: typeof r.bytes === 'string' ? [...Buffer.from(r.bytes, 'hex')] : undefined,
    }));
  }
}
