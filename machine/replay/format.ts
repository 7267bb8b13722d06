// The recording file of --record / --replay: what made a run unrepeatable, in order.
//
//   line 1   JSON header: format, version, the machine (file, a hash of the resolved spec), time
//            mode, the run's machine-time limit.
//   then     chunks: one type byte ('R' clock reads, 'E' events), a u32 LE length, deflate-raw data.
//
// 'R' (realtime only): every host clock read the CPU took, as zigzag varints of the difference
// from the previous read (ns). 'E': events keyed by the number of clock reads taken before them
// (as a varint difference from the previous event's) and the instruction count (difference):
// host input for a device, a host stop, a system_reset, and the end of the run.
import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { QueuedInput } from '../../bus/input-ring.js';

export const RECORDING_FORMAT = 'actorpc-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: number;
  /** The machine file as given, and a hash of the resolved spec the run used. */
  readonly machine: string;
  readonly spec: string;
  readonly time: 'realtime' | 'virtual';
  /** The run's machine-time limit (--for/--timeout) and its reason; null when none. */
  readonly stopAt: number | null;
  readonly stopReason: string;
}

export enum EventType {
  Input = 1,
  Stop = 2,
  Reset = 3,
  End = 4,
}

export type RecordedEvent =
  | { readonly type: EventType.Input; readonly reads: number; readonly icount: number; readonly device: number; readonly events: QueuedInput[] }
  | { readonly type: EventType.Stop | EventType.Reset; readonly reads: number; readonly icount: number }
  | { readonly type: EventType.End; readonly reads: number; readonly icount: number; readonly reason: string };

/** A recording that cannot be replayed (damaged, another machine, another format): exit status 2. */
export class RecordingError extends Error {}

const CHUNK_BYTES = 64 * 1024;
const READS = 0x52; // 'R'
const EVENTS = 0x45; // 'E'

class ByteBuffer {
  bytes = new Uint8Array(CHUNK_BYTES + 1024);
  length = 0;
  private readonly f64 = new DataView(new ArrayBuffer(8));
  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  /** Unsigned integer up to 2^53, 7 bits a byte. */
  varint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }
  zigzag(v: number): void { this.varint(v >= 0 ? v * 2 : -v * 2 - 1); }
  byte(v: number): void { this.room(1); this.bytes[this.length++] = v; }
  float(v: number): void {
    this.room(8);
    this.f64.setFloat64(0, v, true);
    this.bytes.set(new Uint8Array(this.f64.buffer), this.length);
    this.length += 8;
  }
  raw(b: Uint8Array): void { this.varint(b.length); this.room(b.length); this.bytes.set(b, this.length); this.length += b.length; }
  text(s: string): void { this.raw(new TextEncoder().encode(s)); }
  take(): Uint8Array { const out = this.bytes.slice(0, this.length); this.length = 0; return out; }
}

/** The CPU thread's writer: synchronous (the guest never returns to the event loop). */
export class RecordingWriter {
  private readonly fd: number;
  private readonly reads = new ByteBuffer();
  private readonly events = new ByteBuffer();
  private lastRead = 0;
  private lastKey = 0;
  private lastIcount = 0;
  bytesWritten = 0;

  constructor(path: string, header: RecordingHeader) {
    this.fd = openSync(path, 'w');
    this.write(Buffer.from(JSON.stringify(header) + '\n'));
  }

  read(v: number): void {
    this.reads.zigzag(v - this.lastRead);
    this.lastRead = v;
    if (this.reads.length >= CHUNK_BYTES) this.flush(READS, this.reads);
  }

  private key(reads: number, icount: number, type: EventType): void {
    this.events.varint(reads - this.lastKey);
    this.events.varint(icount - this.lastIcount);
    this.events.byte(type);
    this.lastKey = reads;
    this.lastIcount = icount;
  }

  input(reads: number, icount: number, device: number, events: readonly QueuedInput[]): void {
    this.key(reads, icount, EventType.Input);
    const b = this.events;
    b.varint(device);
    b.varint(events.length);
    for (const e of events) {
      b.text(e.key);
      b.byte((e.down ? 1 : 0) | (e.at !== undefined ? 2 : 0) | (e.delay !== undefined ? 4 : 0) | (e.bytes ? 8 : 0));
      if (e.at !== undefined) b.float(e.at);
      if (e.delay !== undefined) b.float(e.delay);
      if (e.bytes) b.raw(Uint8Array.from(e.bytes));
    }
    if (b.length >= CHUNK_BYTES) this.flush(EVENTS, b);
  }

  mark(reads: number, icount: number, type: EventType.Stop | EventType.Reset): void {
    this.key(reads, icount, type);
  }

  /** The end of the run: everything is written and the file closed. */
  end(reads: number, icount: number, reason: string): void {
    this.key(reads, icount, EventType.End);
    this.events.text(reason);
    this.flush(READS, this.reads);
    this.flush(EVENTS, this.events);
    closeSync(this.fd);
  }

  private flush(type: number, buf: ByteBuffer): void {
    if (buf.length === 0) return;
    const data = deflateRawSync(buf.take());
    const head = Buffer.alloc(5);
    head[0] = type;
    head.writeUInt32LE(data.length, 1);
    this.write(head);
    this.write(data);
  }

  private write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.bytesWritten += b.length;
  }
}

export interface Recording {
  readonly header: RecordingHeader;
  /** Realtime: every clock read, in order. */
  readonly reads: Float64Array;
  readonly events: RecordedEvent[];
}

class Cursor {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly what: string) {}
  private need(n: number): void { if (this.pos + n > this.b.length) throw new RecordingError(`${this.what} ends in the middle of a value`); }
  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      this.need(1);
      const x = this.b[this.pos++];
      v += (x & 0x7f) * scale;
      if (x < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RecordingError(`${this.what} holds a number too long to be one`);
    }
  }
  zigzag(): number { const z = this.varint(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
  byte(): number { this.need(1); return this.b[this.pos++]; }
  float(): number { this.need(8); const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true); this.pos += 8; return v; }
  raw(): Uint8Array { const n = this.varint(); this.need(n); const out = this.b.subarray(this.pos, this.pos + n); this.pos += n; return out; }
  text(): string { return new TextDecoder().decode(this.raw()); }
  get done(): boolean { return this.pos >= this.b.length; }
}

/** Parse a whole recording; anything malformed is a RecordingError saying what. */
export function parseRecording(file: Uint8Array, name: string): Recording {
  const nl = file.indexOf(0x0a);
  let header: RecordingHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(file.subarray(0, nl < 0 ? file.length : nl)));
  } catch {
    throw new RecordingError(`${name} is not an actorpc recording (its first line is not a JSON header)`);
  }
  if (header?.format !== RECORDING_FORMAT) throw new RecordingError(`${name} is not an actorpc recording (no "format": "${RECORDING_FORMAT}" in its header)`);
  if (header.version !== RECORDING_VERSION) throw new RecordingError(`${name} is a version ${header.version} recording; this actorpc reads version ${RECORDING_VERSION}`);
  const readParts: Uint8Array[] = [];
  const eventParts: Uint8Array[] = [];
  let pos = nl + 1;
  while (pos < file.length) {
    if (pos + 5 > file.length) throw new RecordingError(`${name} is cut short (a chunk header at byte ${pos} is incomplete)`);
    const type = file[pos];
    const len = Buffer.from(file.buffer, file.byteOffset + pos + 1, 4).readUInt32LE(0);
    if ((type !== READS && type !== EVENTS) || pos + 5 + len > file.length) throw new RecordingError(`${name} is damaged or cut short at byte ${pos}`);
    let data: Uint8Array;
    try {
      data = inflateRawSync(file.subarray(pos + 5, pos + 5 + len));
    } catch {
      throw new RecordingError(`${name} is damaged at byte ${pos} (a chunk does not decompress)`);
    }
    (type === READS ? readParts : eventParts).push(data);
    pos += 5 + len;
  }
  const values: number[] = [];
  let last = 0;
  for (const part of readParts) {
    const c = new Cursor(part, name);
    while (!c.done) values.push((last += c.zigzag()));
  }
  const events: RecordedEvent[] = [];
  let key = 0;
  let icount = 0;
  for (const part of eventParts) {
    const c = new Cursor(part, name);
    while (!c.done) {
      key += c.varint();
      icount += c.varint();
      const type = c.byte();
      if (type === EventType.Input) {
        const device = c.varint();
        const n = c.varint();
        const list: QueuedInput[] = [];
        for (let i = 0; i < n; i++) {
          const k = c.text();
          const flags = c.byte();
          list.push({
            key: k, down: (flags & 1) !== 0,
            at: flags & 2 ? c.float() : undefined,
            delay: flags & 4 ? c.float() : undefined,
            bytes: flags & 8 ? [...c.raw()] : undefined,
          });
        }
        events.push({ type, reads: key, icount, device, events: list });
      } else if (type === EventType.Stop || type === EventType.Reset) events.push({ type, reads: key, icount });
      else if (type === EventType.End) events.push({ type, reads: key, icount, reason: c.text() });
      else throw new RecordingError(`${name} is damaged (unknown event type ${type})`);
    }
  }
  if (events.at(-1)?.type !== EventType.End) throw new RecordingError(`${name} has no end record: the recorded run did not finish writing it (cut short?)`);
  return { header, reads: Float64Array.from(values), events };
}
