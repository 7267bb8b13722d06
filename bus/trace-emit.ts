// The producer's side of tracing: checks the on flag, takes the global seq, writes the ring.
// emit(kind, src, fields) takes anything; the hot records of an interrupt (io.read, io.write,
// irq.level, cpu.inta, cpu.int, cpu.iret) have typed emitters that look up no string per record: their
// names are pinned once, port and wire names are cached by port number and wire index.
// (pic.intr and pic.eoi come from the PIC's core through emit: its per-kind cache of src, keys and
// values by position resolves them without a table lookup after the first record.)
import { NUM_FIELD_BYTES, STR_FIELD_BYTES } from './trace-format.js';
import { TraceRingWriter } from './trace-writer.js';

/** Register names by port (PortMap). */
export interface PortNames {
  registerName(port: number, write: boolean): string;
}

/** Guest code names by address (TextSpace). */
export interface CodeNames {
  describe(addr: number): string;
}

/** A wire as the router knows it: its index and the input it drives ("pic1.ir0"). */
export interface TracedWire {
  readonly line: number;
  readonly input: string;
}

const HANDLER_CACHE_LIMIT = 4096;

export class TraceEmitter {
  protected readonly writer: TraceRingWriter;
  // Pinned ids (0 until the first typed record).
  private sCpu = 0;
  private kIoRead = 0;
  private kIoWrite = 0;
  private kIrqLevel = 0;
  private kCpuInta = 0;
  private kCpuInt = 0;
  private kCpuIret = 0;
  private fPort = 0;
  private fSize = 0;
  private fValue = 0;
  private fDevice = 0;
  private fReg = 0;
  private fLine = 0;
  private fLevel = 0;
  private fVector = 0;
  private fHandler = 0;
  private fIst = 0;
  private fRsp = 0;
  private fDepth = 0;
  private fDuration = 0;
  // Per port (read, write): device id << 16 | register id; 0 = not yet seen.
  private portNames: PortNames | undefined;
  private portIds: [Uint32Array, Uint32Array] | undefined;
  // Per wire index: the strings the ids were made from, and the ids.
  private readonly wireSrc: string[] = [];
  private readonly wireInput: string[] = [];
  private readonly wireSrcId: number[] = [];
  private readonly wireInputId: number[] = [];
  private readonly handlerIds = new Map<number, number>();

  /** `words[onIndex]` is the tracing-on flag, `words[seqIndex]` the global seq counter. */
  constructor(
    private readonly words: Int32Array,
    private readonly onIndex: number,
    private readonly seqIndex: number,
    ring: SharedArrayBuffer,
    doorbell?: () => void,
    consumerBeat?: () => number,
  ) {
    this.writer = new TraceRingWriter(ring, doorbell, consumerBeat);
  }

  get on(): boolean { return this.words[this.onIndex] !== 0; }
  get dropped(): number { return this.writer.dropped; }
  /** Strings in this producer's table (bounded: see trace-ring.ts). */
  get interned(): number { return this.writer.interned; }

  private nextSeq(): number {
    return Atomics.add(this.words, this.seqIndex, 1) >>> 0;
  }

  emit(t: number, kind: string, src: string, fields?: Record<string, unknown>): void {
    if (this.words[this.onIndex] === 0) return;
    this.writer.write(this.nextSeq(), t, kind, src, fields);
  }

  private pinNames(): void {
    const w = this.writer;
    this.kIoRead = w.pin('io.read');
    this.kIoWrite = w.pin('io.write');
    this.kIrqLevel = w.pin('irq.level');
    this.kCpuInta = w.pin('cpu.inta');
    this.kCpuInt = w.pin('cpu.int');
    this.kCpuIret = w.pin('cpu.iret');
    this.fPort = w.pin('port');
    this.fSize = w.pin('size');
    this.fValue = w.pin('value');
    this.fDevice = w.pin('device');
    this.fReg = w.pin('reg');
    this.fLine = w.pin('line');
    this.fLevel = w.pin('state');
    this.fVector = w.pin('vector');
    this.fHandler = w.pin('handler');
    this.fIst = w.pin('ist');
    this.fRsp = w.pin('rsp');
    this.fDepth = w.pin('depth');
    this.fDuration = w.pin('duration');
    this.sCpu = w.pin('cpu');
  }

  /** io.read: a port read by the CPU {port, size, value, device, reg}. */
  ioRead(t: number, port: number, size: number, value: number, device: string, names: PortNames): void {
    this.io(t, false, port, size, value, device, names);
  }

  /** io.write: a port write by the CPU {port, size, value, device, reg}. */
  ioWrite(t: number, port: number, size: number, value: number, device: string, names: PortNames): void {
    this.io(t, true, port, size, value, device, names);
  }

  private io(t: number, write: boolean, port: number, size: number, value: number, device: string, names: PortNames): void {
    if (this.words[this.onIndex] === 0) return;
    if (this.sCpu === 0) this.pinNames();
    if (names !== this.portNames || this.portIds === undefined) {
      this.portNames = names;
      this.portIds = [new Uint32Array(0x10000), new Uint32Array(0x10000)];
    }
    const cache = this.portIds[write ? 1 : 0];
    let ids = cache[port];
    if (ids === 0) {
      const dev = this.writer.pin(device);
      const reg = this.writer.pin(names.registerName(port, write));
      ids = dev * 0x10000 + reg;
      if (dev < 0x10000 && reg < 0x10000) cache[port] = ids;
      else return this.writer.write(this.nextSeq(), t, write ? 'io.write' : 'io.read', 'cpu', { port, size, value, device, reg: names.registerName(port, write) });
    }
    const w = this.writer;
    let p = w.begin(this.nextSeq(), t, write ? this.kIoWrite : this.kIoRead, this.sCpu, 5, 3 * NUM_FIELD_BYTES + 2 * STR_FIELD_BYTES);
    if (p < 0) return;
    p = w.num(p, this.fPort, port);
    p = w.num(p, this.fSize, size);
    p = w.num(p, this.fValue, value);
    p = w.str(p, this.fDevice, ids >>> 16);
    w.str(p, this.fReg, ids & 0xffff);
    w.end();
  }

  /** irq.level: a wire changed level {line, state}; src is the device driving it. */
  irqLevel(t: number, src: string, wire: TracedWire, level: number): void {
    if (this.words[this.onIndex] === 0) return;
    if (this.sCpu === 0) this.pinNames();
    const i = wire.line;
    if (this.wireSrc[i] !== src || this.wireInput[i] !== wire.input) {
      this.wireSrc[i] = src;
      this.wireInput[i] = wire.input;
      this.wireSrcId[i] = this.writer.pin(src);
      this.wireInputId[i] = this.writer.pin(wire.input);
    }
    const w = this.writer;
    let p = w.begin(this.nextSeq(), t, this.kIrqLevel, this.wireSrcId[i], 2, STR_FIELD_BYTES + NUM_FIELD_BYTES);
    if (p < 0) return;
    p = w.str(p, this.fLine, this.wireInputId[i]);
    w.num(p, this.fLevel, level);
    w.end();
  }

  /** cpu.inta: the interrupt acknowledge cycle {vector}. */
  cpuInta(t: number, vector: number): void {
    if (this.words[this.onIndex] === 0) return;
    if (this.sCpu === 0) this.pinNames();
    const w = this.writer;
    const p = w.begin(this.nextSeq(), t, this.kCpuInta, this.sCpu, 1, NUM_FIELD_BYTES);
    if (p < 0) return;
    w.num(p, this.fVector, vector);
    w.end();
  }

  /** cpu.int: delivery through the IDT {vector, handler, ist? (left out when 0), rsp, depth (1 = from non-handler code)}. */
  cpuInt(t: number, vector: number, handler: number, code: CodeNames, ist: number, rsp: number, depth = 1): void {
    if (this.words[this.onIndex] === 0) return;
    if (this.sCpu === 0) this.pinNames();
    let hid = this.handlerIds.get(handler);
    if (hid === undefined) {
      // Gate offsets are guest data: their names take the bounded path (interned when seen again).
      const name = code.describe(handler);
      hid = this.writer.value(name);
      if (hid === 0 || this.handlerIds.size >= HANDLER_CACHE_LIMIT) {
        return this.writer.write(this.nextSeq(), t, 'cpu.int', 'cpu', { vector, handler: name, ist: ist || undefined, rsp, depth });
      }
      this.handlerIds.set(handler, hid);
    }
    const w = this.writer;
    const n = ist ? 5 : 4;
    let p = w.begin(this.nextSeq(), t, this.kCpuInt, this.sCpu, n, (n - 1) * NUM_FIELD_BYTES + STR_FIELD_BYTES);
    if (p < 0) return;
    p = w.num(p, this.fVector, vector);
    p = w.str(p, this.fHandler, hid);
    if (ist) p = w.num(p, this.fIst, ist);
    p = w.num(p, this.fRsp, rsp);
    w.num(p, this.fDepth, depth);
    w.end();
  }

  /** cpu.iret: a handler returned {vector, duration (ns since its cpu.int), depth}. */
  cpuIret(t: number, vector: number, duration: number, depth: number): void {
    if (this.words[this.onIndex] === 0) return;
    if (this.sCpu === 0) this.pinNames();
    const w = this.writer;
    let p = w.begin(this.nextSeq(), t, this.kCpuIret, this.sCpu, 3, 3 * NUM_FIELD_BYTES);
    if (p < 0) return;
    p = w.num(p, this.fVector, vector);
    p = w.num(p, this.fDuration, duration);
    w.num(p, this.fDepth, depth);
    w.end();
  }
}
