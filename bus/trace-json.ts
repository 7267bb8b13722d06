// NDJSON straight from a ring's binary record: the bytes JSON.stringify(reader.decode()) + '\n'
// would give, without building the object. Interned strings are escaped once per ring (cached
// by id); numbers are formatted digit by digit when they are integers, by String() otherwise
// (which is what JSON.stringify does for a finite number).
import { F_FALSE, F_NUM, F_STR, F_TRUE, INTERN_MAX_CHARS, KEY_SPECIAL, type TraceRingReader } from './trace-ring.js';
import { TRACE_SCHEMA_VERSION } from './trace.js';

const encoder = new TextEncoder();
const ascii = (s: string) => encoder.encode(s);
const OPEN = ascii(`{"v":${TRACE_SCHEMA_VERSION},"t":`);
const SEQ = ascii(',"seq":');
const KIND = ascii(',"kind":');
const SRC = ascii(',"src":');
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');
const CLOSE = 0x7d;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const ZERO = 0x30;
/** The most an interned string takes as JSON (every char escaped as \uXXXX, quotes, key punctuation). */
const MAX_INTERNED_JSON = INTERN_MAX_CHARS * 6 + 4;
/** The most a number takes. */
const MAX_NUMBER = 32;
/** Room for one field of interned strings or a number (an inline string makes its own). */
const PER_FIELD = MAX_NUMBER + 2 * MAX_INTERNED_JSON;

/** A growable byte buffer the formatter appends to; its owner takes the bytes out between records. */
export class JsonOut {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1 << 18) {
    this.buf = new Uint8Array(size);
  }
  /** Room for n more bytes (grows: a record is never split across two buffers). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  /** Hand out what was written; go on in `next` (a new buffer by default). */
  take(next: Uint8Array = new Uint8Array(this.buf.length)): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = next;
    this.pos = 0;
    return out;
  }
}

function put(out: JsonOut, b: Uint8Array): void {
  const buf = out.buf;
  let pos = out.pos;
  const n = b.length;
  if (n <= 24) for (let i = 0; i < n; i++) buf[pos++] = b[i];
  else {
    buf.set(b, pos);
    pos += n;
  }
  out.pos = pos;
}

/** Text of unknown length (it ensures its own room). */
function putText(out: JsonOut, s: string): void {
  out.ensure(s.length * 3 + PER_FIELD);
  out.pos += encoder.encodeInto(s, out.buf.subarray(out.pos)).written;
}

const digits = new Uint8Array(24);

/** A number as JSON.stringify writes it. */
function putNumber(out: JsonOut, n: number): void {
  const buf = out.buf;
  let pos = out.pos;
  if (n === Math.floor(n) && n < 9007199254740992 && n > -9007199254740992) {
    // An integer (also -0, which JSON writes as 0).
    if (n < 0) {
      buf[pos++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      buf[pos++] = ZERO + n;
      out.pos = pos;
      return;
    }
    let k = 0;
    if (n < 2147483648) {
      let m = n | 0;
      do {
        const q = (m / 10) | 0;
        digits[k++] = ZERO + m - q * 10;
        m = q;
      } while (m > 0);
    } else {
      do {
        const q = Math.floor(n / 10);
        digits[k++] = ZERO + (n - q * 10);
        n = q;
      } while (n > 0);
    }
    while (k > 0) buf[pos++] = digits[--k];
    out.pos = pos;
  } else if (Number.isFinite(n)) {
    putText(out, String(n));
  } else {
    put(out, NULL);
  }
}

/** The string a ref at p names, as JSON. Returns the end of the ref. */
function putRef(out: JsonOut, rd: TraceRingReader, p: number): number {
  const id = rd.view.getUint32(p, true);
  if (id !== 0) {
    put(out, rd.valueBytes(id));
    return p + 4;
  }
  putText(out, JSON.stringify(rd.refText(p)));
  return rd.refEnd(p);
}

/**
 * Append the reader's current event as one NDJSON line. A record whose field names JSON would
 * reorder or drop (v, kind, an array index, __proto__) goes through the object, so the bytes are
 * always exactly JSON.stringify(decode()).
 */
export function writeRecordJson(rd: TraceRingReader, out: JsonOut): void {
  const view = rd.view;
  const at = rd.at;
  const start = out.pos;
  // Room for everything but inline strings (putText makes its own).
  out.ensure(64 + 2 * MAX_NUMBER + 2 * MAX_INTERNED_JSON);
  put(out, OPEN);
  putNumber(out, view.getFloat64(at + 8, true));
  put(out, SEQ);
  putNumber(out, rd.seq);
  let p = at + 16;
  const kindId = view.getUint32(p, true);
  if (kindId !== 0) {
    put(out, rd.kindBytes(kindId));
    p += 4;
  } else {
    put(out, KIND);
    p = putRef(out, rd, p);
  }
  const srcId = view.getUint32(p, true);
  if (srcId !== 0) {
    put(out, rd.srcBytes(srcId));
    p += 4;
  } else {
    put(out, SRC);
    p = putRef(out, rd, p);
  }
  const n = view.getUint32(p, true);
  p += 4;
  for (let i = 0; i < n; i++) {
    out.ensure(PER_FIELD);
    const keyId = view.getUint32(p, true);
    if (keyId !== 0) {
      if (rd.classOf(keyId) === KEY_SPECIAL) return whole(rd, out, start);
      put(out, rd.keyBytes(keyId));
      p += 4;
    } else {
      const key = rd.refText(p);
      if (rd.classOf(0, key) === KEY_SPECIAL) return whole(rd, out, start);
      putText(out, ',' + JSON.stringify(key) + ':');
      p = rd.refEnd(p);
    }
    const ft = rd.bytes[p++];
    if (ft === F_NUM) {
      putNumber(out, view.getFloat64(p, true));
      p += 8;
    } else if (ft === F_STR) {
      p = putRef(out, rd, p);
    } else {
      put(out, ft === F_TRUE ? TRUE : ft === F_FALSE ? FALSE : NULL);
    }
  }
  out.ensure(2);
  out.buf[out.pos++] = CLOSE;
  out.buf[out.pos++] = NEWLINE;
}

function whole(rd: TraceRingReader, out: JsonOut, start: number): void {
  out.pos = start;
  putText(out, JSON.stringify(rd.decode()) + '\n');
}
