// Trace records cross threads through single-producer/single-consumer rings in SharedArrayBuffers,
// never postMessage. Records are binary: numbers as float64, strings as ids into a per-ring table
// (a DEF record carries each new string once) or, past the table's bounds, inline.
//
// The string table is bounded so memory stays flat whatever a device emits: kind, src and field
// names are interned while the table has room; a string value is interned on its second sighting;
// strings longer than INTERN_MAX_CHARS, and everything once INTERN_LIMIT strings are interned, are
// written inline. Ids are never reused, so a producer's pre-interned ids (pin) stay valid.
//
// A full ring blocks its producer until the consumer drains it: nothing is dropped. The producer
// rings a doorbell once each time its ring passes half full, and before it blocks.

import { TRACE_SCHEMA_VERSION } from './trace.js';
import { F_FALSE, F_NUM, F_STR, F_TRUE, HDR_INTS, HDR_READ, HDR_WAITING, HDR_WRITE, HEADER_BYTES, REC_DEF, REC_EVENT, REC_PAD } from './trace-format.js';

export * from './trace-format.js';
export { TraceRingWriter } from './trace-writer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A decoded record: the schema-v1 shape, built in one object (seq is the low 32 bits). */
export interface DecodedRecord {
  v: number;
  t: number;
  seq: number;
  kind: string;
  src: string;
  [field: string]: unknown;
}

/** Key classes the consumer checks without building objects. */
export const KEY_PLAIN = 0;
/** A key JSON.stringify of the decoded object would not write in place (v, t, seq, kind, src, an array index, __proto__). */
export const KEY_SPECIAL = 1;
export const KEY_PORT = 2;
export const KEY_LINE = 3;

function keyClass(s: string): number {
  if (s === 'port') return KEY_PORT;
  if (s === 'line') return KEY_LINE;
  if (s === 'v' || s === 't' || s === 'seq' || s === 'kind' || s === 'src' || s === '__proto__') return KEY_SPECIAL;
  if (/^(0|[1-9]\d*)$/.test(s) && Number(s) < 2 ** 32 - 1) return KEY_SPECIAL;
  return KEY_PLAIN;
}

/**
 * Consumer side, on the main thread. Reads in place: next() positions on the oldest unread event
 * (at, seq), take() steps past it, commit() hands the space back to the producer. drain() decodes
 * everything into objects.
 */
export class TraceRingReader {
  private readonly hdr: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly cap: number;
  private r: number;
  private w: number;
  private committed: number;
  /** Offset of the current event, -1 if none. */
  at = -1;
  /** The current event's seq. */
  seq = 0;
  private len = 0;
  private readonly texts: string[] = [''];
  private readonly classes: number[] = [0];
  private readonly valueJson: Array<Uint8Array | undefined> = [];
  private readonly keyJson: Array<Uint8Array | undefined> = [];
  private readonly kindJson: Array<Uint8Array | undefined> = [];
  private readonly srcJson: Array<Uint8Array | undefined> = [];
  /** Per string id, for whoever filters on this ring (log-filter): a cache it owns. */
  readonly memo: number[] = [];
  memoOwner: object | undefined;

  /** Its producer is blocked, waiting for room. */
  producerWaiting(): boolean {
    return Atomics.load(this.hdr, HDR_WAITING) !== 0;
  }

  constructor(sab: SharedArrayBuffer) {
    this.hdr = new Int32Array(sab, 0, HDR_INTS);
    this.bytes = new Uint8Array(sab, HEADER_BYTES);
    this.view = new DataView(sab, HEADER_BYTES);
    this.cap = this.bytes.length;
    this.r = this.committed = Atomics.load(this.hdr, HDR_READ) >>> 0;
    this.w = this.r;
  }

  /** Strings in this ring's table. */
  get interned(): number { return this.texts.length - 1; }

  /** See what the producer has published since. */
  refresh(): void {
    this.w = Atomics.load(this.hdr, HDR_WRITE) >>> 0;
  }

  /** Position on the next event (string definitions are taken in on the way). False: none published (as of refresh). */
  next(): boolean {
    if (this.at >= 0) return true;
    const view = this.view;
    while (this.r !== this.w) {
      const off = this.r & (this.cap - 1);
      const tail = this.cap - off;
      if (tail < 4) { this.r = (this.r + tail) >>> 0; continue; }
      const head = view.getUint32(off, true);
      const type = head >>> 24;
      const len = head & 0xffffff;
      if (type === REC_EVENT) {
        this.at = off;
        this.len = len;
        this.seq = view.getUint32(off + 4, true);
        return true;
      }
      if (type === REC_DEF) {
        const id = view.getUint32(off + 4, true);
        const n = view.getUint32(off + 8, true);
        const text = decoder.decode(this.bytes.slice(off + 12, off + 12 + n));
        this.texts[id] = text;
        this.classes[id] = keyClass(text);
      } else if (type !== REC_PAD) {
        throw new Error(`corrupt trace ring: record type ${type} at ${off}`);
      }
      this.r = (this.r + len) >>> 0;
    }
    return false;
  }

  /** Step past the current event; the space goes back to the producer every eighth of the ring. */
  take(): void {
    this.r = (this.r + this.len) >>> 0;
    this.at = -1;
    if (((this.r - this.committed) >>> 0) >= this.cap >>> 3) this.commit();
  }

  /** Hand consumed space back (and wake a producer blocked on a full ring). */
  commit(): void {
    if (this.r === this.committed) return;
    this.committed = this.r;
    Atomics.store(this.hdr, HDR_READ, this.r | 0);
    if (Atomics.load(this.hdr, HDR_WAITING) !== 0) Atomics.notify(this.hdr, HDR_READ);
  }

  /** Decode every published record, in order. */
  drain(out: DecodedRecord[]): number {
    this.refresh();
    let count = 0;
    while (this.next()) {
      out.push(this.decode());
      this.take();
      count++;
    }
    this.commit();
    return count;
  }

  // ---- The current event, field by field ---------------------------------------------------

  text(id: number): string {
    return this.texts[id] ?? '?';
  }

  /** The string a ref at p names. */
  refText(p: number): string {
    const id = this.view.getUint32(p, true);
    if (id !== 0) return this.texts[id] ?? '?';
    const n = this.view.getUint32(p + 4, true);
    return decoder.decode(this.bytes.slice(p + 8, p + 8 + n));
  }

  /** The offset just past a ref at p. */
  refEnd(p: number): number {
    return this.view.getUint32(p, true) !== 0 ? p + 4 : p + 8 + this.view.getUint32(p + 4, true);
  }

  /** KEY_* of the string id (inline: of the text). */
  classOf(id: number, inlineText?: string): number {
    return id !== 0 ? this.classes[id] ?? KEY_PLAIN : keyClass(inlineText ?? '');
  }

  /** `"text"` as UTF-8, cached per id. */
  valueBytes(id: number): Uint8Array {
    let b = this.valueJson[id];
    if (b === undefined) this.valueJson[id] = b = encoder.encode(JSON.stringify(this.text(id)));
    return b;
  }

  /** `,"key":` as UTF-8, cached per id. */
  keyBytes(id: number): Uint8Array {
    let b = this.keyJson[id];
    if (b === undefined) this.keyJson[id] = b = encoder.encode(',' + JSON.stringify(this.text(id)) + ':');
    return b;
  }

  /** `,"kind":"text"` as UTF-8, cached per id. */
  kindBytes(id: number): Uint8Array {
    let b = this.kindJson[id];
    if (b === undefined) this.kindJson[id] = b = encoder.encode(',"kind":' + JSON.stringify(this.text(id)));
    return b;
  }

  /** `,"src":"text"` as UTF-8, cached per id. */
  srcBytes(id: number): Uint8Array {
    let b = this.srcJson[id];
    if (b === undefined) this.srcJson[id] = b = encoder.encode(',"src":' + JSON.stringify(this.text(id)));
    return b;
  }

  /** The current event as a schema-v1 object. */
  decode(): DecodedRecord {
    const view = this.view;
    let p = this.at + 16;
    const rec: DecodedRecord = {
      v: TRACE_SCHEMA_VERSION,
      t: view.getFloat64(this.at + 8, true),
      seq: this.seq,
      kind: this.refText(p),
      src: '',
    };
    p = this.refEnd(p);
    rec.src = this.refText(p);
    p = this.refEnd(p);
    const n = view.getUint32(p, true);
    p += 4;
    for (let i = 0; i < n; i++) {
      const key = this.refText(p);
      p = this.refEnd(p);
      const ft = this.bytes[p++];
      if (ft === F_NUM) { rec[key] = view.getFloat64(p, true); p += 8; }
      else if (ft === F_STR) { rec[key] = this.refText(p); p = this.refEnd(p); }
      else rec[key] = ft === F_TRUE ? true : ft === F_FALSE ? false : null;
    }
    return rec;
  }
}
