// The producer's end of a trace ring: one per actor thread (see trace-ring.ts for the whole story).
// Strings are interned in a bounded table: kind, src and field names while it has room, string
// values on their second sighting, nothing longer than INTERN_MAX_CHARS; the rest goes inline.
import {
  EVENT_HEADER_BYTES, F_FALSE, F_NULL, F_NUM, F_STR, F_TRUE, HDR_INTS, HDR_READ, HDR_WAITING, HDR_WRITE, HEADER_BYTES,
  INTERN_LIMIT, INTERN_MAX_CHARS, NUM_FIELD_BYTES, REC_DEF, REC_EVENT, REC_PAD, STR_FIELD_BYTES,
} from './trace-format.js';

/** First sightings of string values remembered (then forgotten all at once). */
const CANDIDATE_LIMIT = 1024;
/** Kinds write() remembers by identity before it looks in its table. */
const RECENT_KINDS = 8;

const encoder = new TextEncoder();

/** Producer side: one per actor thread. */
export class TraceRingWriter {
  private readonly hdr: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly cap: number;
  private readonly half: number;
  /** Deliberate limit: an inline string longer than this (chars) is cut, so a record always fits the ring. */
  private readonly inlineMaxChars: number;
  private w: number; // our own copy of HDR_WRITE (we are its only writer)
  private r: number; // HDR_READ as last seen
  private rang = false; // the doorbell was rung for this crossing of half full
  private nextLook = 0; // while rang: where publish() next looks at the consumer's position
  private readonly ids = new Map<string, number>();
  private nextId = 1;
  private budget = INTERN_LIMIT;
  private readonly seenOnce = new Set<string>();
  private readonly shapes = new Map<string, Shape>();
  private readonly recentKinds: string[] = new Array<string>(RECENT_KINDS).fill('\u0000');
  private readonly recentShapes: Shape[] = [];
  private recentNext = 0;
  // write()'s first pass, per field: key id (0: inline at fKeyAt in scratch), type, number or
  // string id (0: inline at fValAt).
  private fKey = new Uint32Array(16);
  private fKeyAt = new Uint32Array(16);
  private fType = new Uint8Array(16);
  private fVal = new Float64Array(16);
  private fValAt = new Uint32Array(16);
  private scratch = new Uint8Array(256);
  private scratchView = new DataView(this.scratch.buffer);
  private pendingLen = 0;
  /** Records given up on (the consumer vanished): counted, never silent. */
  dropped = 0;
  /** How long a blocked producer waits without a sign of life from the consumer before giving up on it (ms). */
  blockLimitMs = 10_000;

  /**
   * `consumerBeat`: a counter the consumer bumps while it lives (even while it holds back on
   * purpose, for a slow --log): a producer blocked on a full ring waits as long as it moves.
   */
  constructor(sab: SharedArrayBuffer, private readonly doorbell?: () => void, private readonly consumerBeat?: () => number) {
    this.hdr = new Int32Array(sab, 0, HDR_INTS);
    this.bytes = new Uint8Array(sab, HEADER_BYTES);
    this.view = new DataView(sab, HEADER_BYTES);
    this.cap = this.bytes.length;
    this.half = this.cap >>> 1;
    this.inlineMaxChars = Math.max(16, Math.min(16_384, Math.floor(this.cap / 24)));
    this.w = Atomics.load(this.hdr, HDR_WRITE) >>> 0;
    this.r = Atomics.load(this.hdr, HDR_READ) >>> 0;
  }

  /** Strings in this ring's table. */
  get interned(): number { return this.ids.size; }

  /** The id of a string from a fixed set (kinds, names from the machine's spec): always interned. */
  pin(s: string): number {
    const id = this.ids.get(s);
    return id !== undefined ? id : this.define(s);
  }

  /** kind, src and field names: interned while the table has room; 0 = write it inline. */
  name(s: string): number {
    const id = this.ids.get(s);
    if (id !== undefined) return id;
    if (s.length > INTERN_MAX_CHARS || this.budget <= 0) return 0;
    this.budget--;
    return this.define(s);
  }

  /** String values: interned when seen a second time while the table has room; 0 = write it inline. */
  value(s: string): number {
    const id = this.ids.get(s);
    if (id !== undefined) return id;
    if (s.length > INTERN_MAX_CHARS || this.budget <= 0) return 0;
    if (!this.seenOnce.has(s)) {
      if (this.seenOnce.size >= CANDIDATE_LIMIT) this.seenOnce.clear();
      this.seenOnce.add(s);
      return 0;
    }
    this.seenOnce.delete(s);
    this.budget--;
    return this.define(s);
  }

  private define(s: string): number {
    const id = this.nextId++;
    this.ids.set(s, id);
    const enc = encoder.encode(s);
    const len = 12 + enc.length;
    const at = this.reserve(len);
    if (at < 0) return id;
    this.view.setUint32(at, (REC_DEF << 24) | len, true);
    this.view.setUint32(at + 4, id, true);
    this.view.setUint32(at + 8, enc.length, true);
    this.bytes.set(enc, at + 12);
    this.publish(len);
    return id;
  }

  /** Append one record. Field values: numbers, strings, booleans, null, bigints (as hex); undefined fields are left out. */
  write(seq: number, t: number, kind: string, src: string, fields?: Record<string, unknown>): void {
    // Pass 1 resolves every string to an id (DEF records go out now, before the event) or, for an
    // inline one, encodes it into scratch; pass 2 writes the event straight into the ring.
    const shape = this.shapeOf(kind);
    let srcId: number;
    if (shape !== undefined && shape.src === src) srcId = shape.srcId;
    else {
      srcId = this.name(src);
      if (shape !== undefined && srcId !== 0) {
        shape.src = src;
        shape.srcId = srcId;
      }
    }
    let p = 0; // scratch: inline strings
    let kindAt = -1;
    let srcAt = -1;
    if (shape === undefined) { kindAt = p; p = this.putRef(p, 0, kind); }
    if (srcId === 0) { srcAt = p; p = this.putRef(p, 0, src); }
    let n = 0;
    // The header with 4-byte refs, plus what inline kind/src refs take beyond 4 bytes.
    let size = EVENT_HEADER_BYTES + p - (kindAt >= 0 ? 4 : 0) - (srcAt >= 0 ? 4 : 0);
    if (fields) {
      let slot = -1;
      for (const key in fields) {
        const value = fields[key];
        slot++;
        if (value === undefined) continue;
        if (n === this.fKey.length) this.growFields();
        let keyId: number;
        if (shape !== undefined && shape.keys[slot] === key) keyId = shape.keyIds[slot];
        else {
          keyId = this.name(key);
          if (shape !== undefined && keyId !== 0 && slot < 32) {
            shape.keys[slot] = key;
            shape.keyIds[slot] = keyId;
          }
        }
        this.fKey[n] = keyId;
        if (keyId === 0) {
          this.fKeyAt[n] = p;
          const end = this.putRef(p, 0, key);
          size += end - p + 1;
          p = end;
        } else size += 5;
        if (typeof value === 'number') {
          this.fType[n] = F_NUM;
          this.fVal[n] = value;
          size += 8;
        } else if (typeof value === 'string' || typeof value === 'bigint') {
          const text = typeof value === 'string' ? value : '0x' + value.toString(16);
          let id: number;
          if (shape !== undefined && shape.values[slot] === text) id = shape.valueIds[slot];
          else {
            id = this.value(text);
            if (shape !== undefined && id !== 0 && slot < 32) {
              shape.values[slot] = text;
              shape.valueIds[slot] = id;
            }
          }
          this.fType[n] = F_STR;
          this.fVal[n] = id;
          if (id === 0) {
            this.fValAt[n] = p;
            const end = this.putRef(p, 0, text);
            size += end - p;
            p = end;
          } else size += 4;
        } else {
          this.fType[n] = typeof value === 'boolean' ? (value ? F_TRUE : F_FALSE) : F_NULL;
        }
        n++;
      }
    }
    // Pass 2.
    const at = this.reserve(size);
    if (at < 0) return;
    const view = this.view;
    view.setUint32(at, (REC_EVENT << 24) | size, true);
    view.setUint32(at + 4, seq >>> 0, true);
    view.setFloat64(at + 8, t, true);
    let q = at + 16;
    q = kindAt >= 0 ? this.copyRef(q, kindAt) : this.putId(q, shape!.kindId);
    q = srcAt >= 0 ? this.copyRef(q, srcAt) : this.putId(q, srcId);
    view.setUint32(q, n, true);
    q += 4;
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) {
      q = this.fKey[i] !== 0 ? this.putId(q, this.fKey[i]) : this.copyRef(q, this.fKeyAt[i]);
      const type = this.fType[i];
      bytes[q++] = type;
      if (type === F_NUM) {
        view.setFloat64(q, this.fVal[i], true);
        q += 8;
      } else if (type === F_STR) {
        q = this.fVal[i] !== 0 ? this.putId(q, this.fVal[i]) : this.copyRef(q, this.fValAt[i]);
      }
    }
    this.publish(size);
  }

  private putId(q: number, id: number): number {
    this.view.setUint32(q, id, true);
    return q + 4;
  }

  /** Copy an inline ref (0, byteLen, bytes) from scratch into the ring. */
  private copyRef(q: number, from: number): number {
    const len = 8 + this.scratchView.getUint32(from + 4, true);
    const bytes = this.bytes;
    const scratch = this.scratch;
    for (let i = 0; i < len; i++) bytes[q + i] = scratch[from + i];
    return q + len;
  }

  private growFields(): void {
    const n = this.fKey.length * 2;
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.fKey = grow(this.fKey, (k) => new Uint32Array(k));
    this.fKeyAt = grow(this.fKeyAt, (k) => new Uint32Array(k));
    this.fType = grow(this.fType, (k) => new Uint8Array(k));
    this.fVal = grow(this.fVal, (k) => new Float64Array(k));
    this.fValAt = grow(this.fValAt, (k) => new Uint32Array(k));
  }

  /**
   * The kind's shape: from a few recent kinds compared by identity (a kind is a string literal at
   * its call site, so a hit is a pointer compare), else from the table. undefined: kind is inline.
   */
  private shapeOf(kind: string): Shape | undefined {
    const recent = this.recentKinds;
    for (let i = 0; i < RECENT_KINDS; i++) if (recent[i] === kind) return this.recentShapes[i];
    let shape = this.shapes.get(kind);
    if (shape === undefined) {
      const kindId = this.name(kind);
      if (kindId === 0) return undefined;
      shape = { kindId, src: '', srcId: 0, keys: [], keyIds: [], values: [], valueIds: [] };
      this.shapes.set(kind, shape);
    }
    const slot = this.recentNext;
    this.recentNext = (slot + 1) % RECENT_KINDS;
    recent[slot] = kind;
    this.recentShapes[slot] = shape;
    return shape;
  }

  /** A string ref into scratch at p: the id, or 0 and the text inline. Returns the end. */
  private putRef(p: number, id: number, text: string): number {
    if (id !== 0) {
      this.ensureScratch(p + 4);
      this.scratchView.setUint32(p, id, true);
      return p + 4;
    }
    if (text.length > this.inlineMaxChars) text = text.slice(0, this.inlineMaxChars) + '…';
    this.ensureScratch(p + 8 + text.length * 3);
    const { written } = encoder.encodeInto(text, this.scratch.subarray(p + 8));
    this.scratchView.setUint32(p, 0, true);
    this.scratchView.setUint32(p + 4, written, true);
    return p + 8 + written;
  }

  private ensureScratch(size: number): void {
    if (size <= this.scratch.length) return;
    const next = new Uint8Array(size * 2);
    next.set(this.scratch);
    this.scratch = next;
    this.scratchView = new DataView(next.buffer);
  }

  // ---- Typed records: every string an id (pinned), the layout known in advance. ----------------

  /**
   * Reserve an event of `fieldBytes` of fields (NUM_FIELD_BYTES / STR_FIELD_BYTES each) and write
   * its header; fill the fields with num()/str() from the offset returned, then end(). -1: dropped.
   */
  begin(seq: number, t: number, kindId: number, srcId: number, nFields: number, fieldBytes: number): number {
    const len = EVENT_HEADER_BYTES + fieldBytes;
    const at = this.reserve(len);
    if (at < 0) return -1;
    const v = this.view;
    v.setUint32(at, (REC_EVENT << 24) | len, true);
    v.setUint32(at + 4, seq >>> 0, true);
    v.setFloat64(at + 8, t, true);
    v.setUint32(at + 16, kindId, true);
    v.setUint32(at + 20, srcId, true);
    v.setUint32(at + 24, nFields, true);
    this.pendingLen = len;
    return at + EVENT_HEADER_BYTES;
  }

  num(p: number, keyId: number, value: number): number {
    this.view.setUint32(p, keyId, true);
    this.bytes[p + 4] = F_NUM;
    this.view.setFloat64(p + 5, value, true);
    return p + NUM_FIELD_BYTES;
  }

  str(p: number, keyId: number, id: number): number {
    this.view.setUint32(p, keyId, true);
    this.bytes[p + 4] = F_STR;
    this.view.setUint32(p + 5, id, true);
    return p + STR_FIELD_BYTES;
  }

  end(): void {
    this.publish(this.pendingLen);
  }

  // ---- Space ----------------------------------------------------------------------------------

  /** Byte offset to write `len` bytes contiguously, blocking while the ring is full. -1 if dropped. */
  private reserve(len: number): number {
    if (len + 4 > this.cap) throw new Error(`trace record of ${len} bytes exceeds the ring`);
    for (;;) {
      const w = this.w;
      const off = w & (this.cap - 1);
      const tail = this.cap - off;
      const need = tail < len ? tail + len : len;
      if (((w - this.r) >>> 0) + need > this.cap && ((w - this.loadRead()) >>> 0) + need > this.cap) {
        if (this.dropped > 0 || !this.block(this.r)) {
          this.dropped++;
          return -1;
        }
        continue;
      }
      if (tail < len) {
        // Not enough room before the end: pad to the start.
        if (tail >= 4) this.view.setUint32(off, (REC_PAD << 24) | tail, true);
        this.w = (w + tail) >>> 0;
        Atomics.store(this.hdr, HDR_WRITE, this.w | 0);
        return 0;
      }
      return off;
    }
  }

  private loadRead(): number {
    this.r = Atomics.load(this.hdr, HDR_READ) >>> 0;
    if (((this.w - this.r) >>> 0) < this.half) this.rang = false;
    return this.r;
  }

  private block(seenRead: number): boolean {
    this.doorbell?.();
    Atomics.store(this.hdr, HDR_WAITING, 1);
    let beat = this.consumerBeat?.();
    let result: string;
    for (;;) {
      result = Atomics.wait(this.hdr, HDR_READ, seenRead | 0, this.blockLimitMs);
      if (result !== 'timed-out') break;
      const now = this.consumerBeat?.();
      if (now === undefined || now === beat) break; // the consumer is gone: give up (counted)
      beat = now; // alive, holding back for a slow log: backpressure, keep waiting
    }
    Atomics.store(this.hdr, HDR_WAITING, 0);
    return result !== 'timed-out';
  }

  private publish(len: number): void {
    const w = (this.w + len) >>> 0;
    this.w = w;
    Atomics.store(this.hdr, HDR_WRITE, w | 0);
    // Past half full by the last read position seen: look at the consumer's, ring once per
    // crossing. Once rung, look again only every sixteenth of the ring (to re-arm).
    if (((w - this.r) >>> 0) >= this.half && (!this.rang || ((w - this.nextLook) | 0) >= 0)) {
      this.nextLook = (w + (this.cap >>> 4)) >>> 0;
      if (((w - this.loadRead()) >>> 0) >= this.half && !this.rang) {
        this.rang = true;
        this.doorbell?.();
      }
    }
  }
}

/** What write() remembers per kind so a repeated record looks up no string: last src, keys and values by position. */
interface Shape {
  readonly kindId: number;
  src: string;
  srcId: number;
  readonly keys: string[];
  readonly keyIds: number[];
  readonly values: string[];
  readonly valueIds: number[];
}

