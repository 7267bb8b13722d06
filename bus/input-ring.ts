// Host input on its way to a device: events written by the main thread's input adapters into an
// SPSC ring in a SharedArrayBuffer, drained by the device's shell when the CPU services the device
// — so input takes effect on the CPU's timeline, for worker and inline devices alike (an inline
// device has no event loop to receive messages).
//
// Input is never dropped and never throws on its way in: what does not fit waits in the writer's
// backlog (main thread) and goes in as the reader frees space. While a backlog waits, the writer
// raises MORE; a reader that finds MORE set waits for the rest within the same service call, so
// every event of one input() lands in the device at the same machine time (relative delays keep
// one origin, and virtual time stays deterministic however large the input).
//
// Layout: Int32 header [WRITE, READ, MORE, -] (free-running byte counters), then the data bytes.
// A record is a u32 length and that many bytes of UTF-8 JSON; records wrap around the end.

export interface QueuedInput {
  readonly key: string;
  readonly down: boolean;
  /** Absolute machine time (ns) — from a script — or undefined for "delay ns after delivery". */
  readonly at?: number;
  readonly delay?: number;
  /** Serial input: bytes rather than a key. */
  readonly bytes?: readonly number[];
}

const WRITE = 0;
const READ = 1;
const MORE = 2;
const HEADER_BYTES = 16;
/** Serial input longer than this is split into records of this many bytes (same time, in order). */
const BYTES_PER_RECORD = 16 * 1024;
/** How long a reader waits for the writer's next batch before leaving the rest for a later service. */
const REFILL_WAIT_MS = 1000;

/** Room for about 25 000 key events at once; more simply waits its turn on the main thread. */
export function allocateInputRing(capacityBytes = 1 << 20): SharedArrayBuffer {
  if (capacityBytes & (capacityBytes - 1) || capacityBytes < 1024) throw new Error('input ring capacity must be a power of two of at least 1 KiB');
  return new SharedArrayBuffer(HEADER_BYTES + capacityBytes);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class RingView {
  readonly hdr: Int32Array;
  readonly bytes: Uint8Array;
  readonly cap: number;
  constructor(sab: SharedArrayBuffer) {
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.bytes = new Uint8Array(sab, HEADER_BYTES);
    this.cap = this.bytes.length;
  }
  copyIn(pos: number, src: Uint8Array): void {
    const off = pos & (this.cap - 1);
    const first = Math.min(src.length, this.cap - off);
    this.bytes.set(src.subarray(0, first), off);
    if (first < src.length) this.bytes.set(src.subarray(first), 0);
  }
  copyOut(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const off = pos & (this.cap - 1);
    const first = Math.min(len, this.cap - off);
    out.set(this.bytes.subarray(off, off + first));
    if (first < len) out.set(this.bytes.subarray(0, len - first), first);
    return out;
  }
}

/** The main thread's end. */
export class InputRingWriter {
  private readonly ring: RingView;
  private backlog: Uint8Array[] = [];
  private next = 0; // first backlog record not yet written
  private waiting = false;

  constructor(sab: SharedArrayBuffer) {
    this.ring = new RingView(sab);
  }

  /** Events that wait on the main thread for room in the ring. */
  get pending(): number {
    return this.backlog.length - this.next;
  }

  /**
   * The events of one input() call: MORE is up before the first is written, so a reader servicing
   * the device meanwhile waits for the whole batch — it lands at one machine time, not split over
   * two services.
   */
  pushAll(events: readonly QueuedInput[]): void {
    const hdr = this.ring.hdr;
    Atomics.store(hdr, MORE, 1);
    for (const e of events) this.push(e);
    if (this.pending === 0) {
      Atomics.store(hdr, MORE, 0);
      Atomics.notify(hdr, WRITE);
    }
  }

  push(e: QueuedInput): void {
    // Serial bytes travel as hex (2 characters a byte) next to ~100 bytes of JSON: split to fit.
    const bytesPerRecord = Math.min(BYTES_PER_RECORD, Math.floor((this.ring.cap - 4 - 128) / 2));
    for (const record of encode(e, bytesPerRecord)) {
      if (record.length + 4 > this.ring.cap) throw new Error(`an input event of ${record.length} bytes does not fit the ${this.ring.cap}-byte input ring`);
      if (this.pending > 0 || !this.write(record)) this.backlog.push(record);
    }
    if (this.pending > 0) {
      Atomics.store(this.ring.hdr, MORE, 1);
      this.waitForRoom();
    }
  }

  private write(record: Uint8Array): boolean {
    const { hdr, cap } = this.ring;
    const w = Atomics.load(hdr, WRITE) >>> 0;
    const r = Atomics.load(hdr, READ) >>> 0;
    const need = 4 + record.length;
    if (need > cap - ((w - r) >>> 0)) return false;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, record.length, true);
    this.ring.copyIn(w, len);
    this.ring.copyIn(w + 4, record);
    Atomics.store(hdr, WRITE, (w + need) | 0);
    Atomics.notify(hdr, WRITE);
    return true;
  }

  /**
   * Write what fits of the backlog; while some is left, wait (without blocking the main thread)
   * for the reader to take something, and go on. The READ count is read before trying, so space
   * freed during the try is not missed.
   */
  private waitForRoom(): void {
    const hdr = this.ring.hdr;
    while (!this.waiting) {
      const seen = Atomics.load(hdr, READ);
      while (this.pending > 0 && this.write(this.backlog[this.next])) this.next++;
      if (this.pending === 0) {
        this.backlog = [];
        this.next = 0;
        Atomics.store(hdr, MORE, 0);
        Atomics.notify(hdr, WRITE);
        return;
      }
      const result = Atomics.waitAsync(hdr, READ, seen);
      if (result.async) {
        this.waiting = true;
        void result.value.then(() => {
          this.waiting = false;
          this.waitForRoom();
        });
      }
    }
  }
}

/** The device's end: drained by its shell at each service. */
export class InputRingReader {
  private readonly ring: RingView;

  constructor(sab: SharedArrayBuffer) {
    this.ring = new RingView(sab);
  }

  /** Every event written so far, and while the writer has more waiting, that too. */
  drain(): QueuedInput[] {
    const out: QueuedInput[] = [];
    const hdr = this.ring.hdr;
    for (;;) {
      this.take(out);
      if (Atomics.load(hdr, MORE) === 0) {
        this.take(out); // what the writer published before it cleared MORE
        return out;
      }
      const w = Atomics.load(hdr, WRITE);
      if (w === Atomics.load(hdr, READ) && Atomics.wait(hdr, WRITE, w, REFILL_WAIT_MS) === 'timed-out') {
        return out; // the main thread is busy: the rest comes at a later service
      }
    }
  }

  private take(out: QueuedInput[]): void {
    const { hdr } = this.ring;
    const w = Atomics.load(hdr, WRITE) >>> 0;
    let r = Atomics.load(hdr, READ) >>> 0;
    if (r === w) return;
    while (r !== w) {
      const len = new DataView(this.ring.copyOut(r, 4).buffer).getUint32(0, true);
      out.push(decode(this.ring.copyOut(r + 4, len)));
      r = (r + 4 + len) >>> 0;
    }
    Atomics.store(hdr, READ, r | 0);
    Atomics.notify(hdr, READ);
  }
}

function encode(e: QueuedInput, bytesPerRecord: number): Uint8Array[] {
  const plain = { key: e.key, down: e.down, at: e.at, delay: e.delay };
  if (!e.bytes) return [encoder.encode(JSON.stringify(plain))];
  const out: Uint8Array[] = [];
  for (let i = 0; i < e.bytes.length || i === 0; i += bytesPerRecord) {
    out.push(encoder.encode(JSON.stringify({ ...plain, bytes: Buffer.from(e.bytes.slice(i, i + bytesPerRecord)).toString('hex') })));
  }
  return out;
}

function decode(record: Uint8Array): QueuedInput {
  const r = JSON.parse(decoder.decode(record)) as { key: string; down: boolean; at?: number; delay?: number; bytes?: string };
  return {
    key: String(r.key),
    down: r.down === true,
    at: typeof r.at === 'number' ? r.at : undefined,
    delay: typeof r.delay === 'number' ? r.delay : undefined,
    bytes: typeof r.bytes === 'string' ? [...Buffer.from(r.bytes, 'hex')] : undefined,
  };
}
