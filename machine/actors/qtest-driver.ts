// The qtest protocol interpreter: one command line in, the lines to send back out (asynchronous
// `IRQ raise N` / `IRQ lower N` lines the command caused, then its `OK …`, `FAIL …` or `ERR …` reply:
// ERR is a clock command stopped short, see advanceTo).
// It stands where the CPU stands: port I/O, INTA-free wire traffic and device deadlines all go
// through the same BusRouter, on the driver's timeline, and the clock moves only when told to.
// No threads here: qtest-actor.ts hosts it on a worker; a test can host it anywhere.
import type { Tracer } from '../../bus/control.js';
import type { AccessSize, DeviceModule, Level } from '../../bus/device.js';
import { Effect, Op } from '../../bus/endpoint.js';
import { CPU_TARGET } from '../../bus/irq.js';
import { ActorDeadError } from '../../bus/mailbox.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import type { BusRouter, DeviceEffect } from '../../bus/router.js';
import { didYouMean } from '../config/suggest.js';
import { DeviceCrash } from './device-shell.js';
import {
  checkArity, COMMANDS, hexBytes, hexValue, MAX_LINE, MAX_TRANSFER, parseBase64Data, parseBounded, parseHexData, parseNumber, parseValue,
  QtestFail, shorten,
} from './qtest-syntax.js';

/**
 * Most device deadlines one clock_step / clock_set delivers. The VGA's 60 Hz scan alone puts
 * 5.4e8 of them before 2^53 ns; past this many the command stops with an ERR reply saying where
 * the clock is, so no command runs for long (about a second on a PIT at full rate).
 */
export const MAX_DEADLINES = 100_000;
/** How often (in deadlines) a long clock_step / clock_set looks whether the session is ending. */
const STOP_CHECK_EVERY = 256;
/** Longest unknown word that gets a "did you mean" (the edit distance costs length × length). */
const SUGGEST_MAX = 40;
const WIDTH: Readonly<Record<string, number>> = { b: 1, w: 2, l: 4, q: 8 };

export interface QtestDevice {
  readonly name: string;
  readonly module: DeviceModule<any>;
}

/** Why a session ends by itself: a device asked the machine to exit, or a device failed. */
export interface QtestEnd {
  readonly reason: 'exit' | 'crash';
  readonly status: number;
  readonly message?: string;
  readonly crash?: { readonly actor: string; readonly error: string };
}

interface Intercept {
  readonly dir: 'in' | 'out';
  readonly target: string;
}

export class QtestDriver {
  /** Machine time (ns): moves only on clock_step / clock_set. */
  now = 0;
  /** Commands answered (blank lines and # comments are not commands). */
  commands = 0;
  /** Set when the session must end after the reply just given. */
  end: QtestEnd | undefined;
  private out: string[] = [];
  private intercept: Intercept | undefined;
  private readonly outLevels = new Map<number, Level>();
  private readonly effects: DeviceEffect[] = [];

  constructor(
    private readonly bus: BusRouter,
    private readonly memory: PhysicalMemory,
    /** In spec order (endpoint indices). */
    private readonly devices: readonly QtestDevice[],
    private readonly tracer: Tracer,
    /** True once the session is ending (a stop request): a long clock_step stops between deadlines. */
    private readonly stopping: () => boolean = () => false,
  ) {
    bus.onEffect = (e) => { this.effects.push(e); };
  }

  /** Power on: every device reports its first deadline and output levels (as the CPU's boot does). */
  start(): void {
    this.guarded(() => {
      this.bus.prime(this.now);
      this.applyEffects();
      return '';
    });
  }

  /** Run one command line. Returns the text to send ('' for a blank line or a # comment). */
  execute(line: string): string {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return '';
    this.commands++;
    if (text.length > MAX_LINE) {
      return `FAIL command line "${shorten(text)}" is longer than ${MAX_LINE} characters, the most a line may hold (room for write with ${MAX_TRANSFER} bytes in hex)\n`;
    }
    this.tracer.emit(this.now, 'qtest.cmd', 'qtest', { cmd: text.length > 200 ? text.slice(0, 197) + '...' : text });
    return this.guarded(() => {
      const reply = this.run(text.split(/\s+/));
      this.applyEffects();
      return reply;
    });
  }

  /** Collect IRQ lines while `body` runs; turn whatever it throws into a FAIL line. */
  private guarded(body: () => string): string {
    this.out = [];
    let reply: string;
    try {
      reply = body();
    } catch (err) {
      reply = this.failure(err);
    }
    if (reply) this.out.push(reply);
    return this.out.length ? this.out.join('\n') + '\n' : '';
  }

  private failure(err: unknown): string {
    if (err instanceof QtestFail) return `FAIL ${err.message}`;
    if (err instanceof DeviceCrash) {
      const error = err.reason instanceof Error ? err.reason.message : String(err.reason);
      this.end = { reason: 'crash', status: 1, crash: { actor: err.device, error } };
      return `FAIL device "${err.device}" crashed: ${error}`;
    }
    if (err instanceof ActorDeadError) {
      this.end = { reason: 'crash', status: 1, crash: { actor: err.actor, error: err.message } };
      return `FAIL ${err.message}`;
    }
    return `FAIL ${err instanceof Error ? err.message : String(err)}`;
  }

  private run(words: string[]): string {
    const [command, ...args] = words;
    if (!Object.hasOwn(COMMANDS, command)) {
      const hint = command.length <= SUGGEST_MAX ? didYouMean(command, Object.keys(COMMANDS)) : '';
      throw new QtestFail(`unknown command "${shorten(command)}". ${hint}Commands: ${Object.keys(COMMANDS).join(' ')}`);
    }
    checkArity(command, args);
    switch (command) {
      case 'outb': case 'outw': case 'outl': {
        const size = WIDTH[command[3]] as AccessSize;
        const port = this.port(args[0]);
        this.bus.out(port, size, Number(parseValue(args[1], size)), this.now);
        return 'OK';
      }
      case 'inb': case 'inw': case 'inl': {
        const size = WIDTH[command[2]] as AccessSize;
        return `OK ${hexValue(this.bus.in(this.port(args[0]), size, this.now), size)}`;
      }
      case 'writeb': case 'writew': case 'writel': case 'writeq': {
        const size = WIDTH[command[5]];
        const mmio = this.mmioAddress(args[0]);
        if (mmio !== undefined) this.mmioStore(mmio, size, parseValue(args[1], size));
        else this.store(this.address(args[0], size), size, parseValue(args[1], size));
        return 'OK';
      }
      case 'readb': case 'readw': case 'readl': case 'readq': {
        const size = WIDTH[command[4]];
        const mmio = this.mmioAddress(args[0]);
        return `OK ${hexValue(mmio !== undefined ? this.mmioLoad(mmio, size) : this.load(this.address(args[0], size), size), size)}`;
      }
      case 'read': case 'b64read': {
        const [addr, size] = this.range(args[0], args[1], false);
        const bytes = this.memory.bytes.slice(addr, addr + size);
        return `OK ${command === 'read' ? hexBytes(bytes) : Buffer.from(bytes).toString('base64')}`;
      }
      case 'write': case 'b64write': {
        const [addr, size] = this.range(args[0], args[1], false);
        this.memory.bytes.set(command === 'write' ? parseHexData(args[2], size) : parseBase64Data(args[2], size), addr);
        return 'OK';
      }
      case 'memset': {
        const [addr, size] = this.range(args[0], args[1], true);
        this.memory.bytes.fill(Number(parseValue(args[2], 1)), addr, addr + size);
        return 'OK';
      }
      case 'clock_step': return this.clockStep(args[0]);
      case 'clock_set': return this.clockSet(args[0]);
      case 'irq_intercept_in': return this.interceptIrqs('in', args[0]);
      case 'irq_intercept_out': return this.interceptIrqs('out', args[0]);
      case 'set_irq_in': return this.setIrqIn(args[0], args[1], args[2]);
      case 'endianness': return 'OK little';
      default: throw new QtestFail(`command "${command}" is not implemented`);
    }
  }

  // ---- operands ---------------------------------------------------------------------------------
  private port(text: string): number {
    return parseBounded(text, 'port', 0xffff, 'I/O ports are 0x0-0xffff');
  }

  private address(text: string, size: number): number {
    const addr = parseNumber(text, 'ADDR');
    if (addr + BigInt(size) > BigInt(this.memory.size)) {
      throw new QtestFail(`ADDR ${text} + ${size} byte${size === 1 ? '' : 's'} lies outside memory (0x0-${hexValue(this.memory.size - 1, 0)})`);
    }
    return Number(addr);
  }

  private range(addrText: string, sizeText: string, zeroOk: boolean): [number, number] {
    const size = parseBounded(sizeText, 'SIZE', MAX_TRANSFER, `at most ${MAX_TRANSFER} bytes at once`);
    if (size === 0 && !zeroOk) throw new QtestFail('SIZE must be at least 1');
    return [this.address(addrText, size), size];
  }

  /** An address above RAM that a device's MMIO region claims (bus/mmio.ts), else undefined. */
  private mmioAddress(text: string): number | undefined {
    const addr = parseNumber(text, 'ADDR');
    if (addr < BigInt(this.memory.size) || addr >= 2n ** 52n) return undefined;
    return this.bus.mmio.claimAt(Number(addr)) ? Number(addr) : undefined;
  }

  /** The CPU's MMIO access (same tracing and width rules); a qword is two dwords, low first, as the CPU's store64. */
  private mmioStore(addr: number, size: number, v: bigint): void {
    if (size === 8) {
      this.bus.mmioWrite(addr, 4, Number(v & 0xffffffffn), this.now);
      this.bus.mmioWrite(addr + 4, 4, Number((v >> 32n) & 0xffffffffn), this.now);
    } else {
      this.bus.mmioWrite(addr, size as AccessSize, Number(v), this.now);
    }
  }

  private mmioLoad(addr: number, size: number): number | bigint {
    if (size !== 8) return this.bus.mmioRead(addr, size as AccessSize, this.now);
    const lo = this.bus.mmioRead(addr, 4, this.now);
    return (BigInt(this.bus.mmioRead(addr + 4, 4, this.now)) << 32n) | BigInt(lo);
  }

  private store(addr: number, size: number, v: bigint): void {
    const m = this.memory;
    if (size === 8) m.write64(addr, v);
    else if (size === 4) m.write32(addr, Number(v));
    else if (size === 2) m.write16(addr, Number(v));
    else m.write8(addr, Number(v));
  }

  private load(addr: number, size: number): number | bigint {
    const m = this.memory;
    return size === 8 ? m.read64(addr) : size === 4 ? m.read32(addr) : size === 2 ? m.read16(addr) : m.read8(addr);
  }

  // ---- time -------------------------------------------------------------------------------------
  private clockStep(nsText: string | undefined): string {
    let target: number;
    if (nsText === undefined) {
      const next = this.bus.nextDeadline;
      if (next === Infinity) throw new QtestFail('no device has a deadline pending, so there is no next deadline to step to: give clock_step NS');
      target = Math.max(next, this.now);
    } else {
      target = this.now + parseBounded(nsText, 'NS', Number.MAX_SAFE_INTEGER - this.now, 'the clock would pass 2^53 ns');
    }
    return this.advanceTo(target);
  }

  private clockSet(nsText: string): string {
    const target = parseBounded(nsText, 'NS', Number.MAX_SAFE_INTEGER, 'the clock stops at 2^53 ns');
    if (target < this.now) throw new QtestFail(`the clock is already at ${this.now} ns and never goes back`);
    return this.advanceTo(target);
  }

  /**
   * Every deadline on the way is delivered at its own time, in order (PIT edges reach the PIC):
   * `OK target`. One deadline time at a time (BusRouter.advanceThrough still reports a device
   * whose deadline does not move on), at most MAX_DEADLINES of them, and not past a stop request:
   * then `ERR`, the clock at the last deadline delivered.
   */
  private advanceTo(target: number): string {
    let delivered = 0;
    for (let next = this.bus.nextDeadline; next <= target; next = this.bus.nextDeadline) {
      if (delivered >= MAX_DEADLINES) {
        return `ERR clock stopped at ${this.now} ns, short of ${target}: ${MAX_DEADLINES} device deadlines delivered, the most one command delivers. `
          + `Go on with "clock_set ${target}" (again until it answers OK), or step in smaller pieces`;
      }
      if (delivered % STOP_CHECK_EVERY === 0 && delivered > 0 && this.stopping()) {
        return `ERR clock stopped at ${this.now} ns, short of ${target}: the session is ending`;
      }
      this.now = Math.max(this.now, next);
      this.bus.advanceThrough(this.now);
      delivered++;
    }
    this.now = target;
    return `OK ${this.now}`;
  }

  // ---- IRQs -------------------------------------------------------------------------------------
  private interceptIrqs(dir: 'in' | 'out', target: string): string {
    const watch = this.watcher(dir, target);
    if (this.intercept) {
      if (this.intercept.dir === dir && this.intercept.target === target) return 'OK';
      throw new QtestFail(`IRQ intercept already enabled (irq_intercept_${this.intercept.dir} ${this.intercept.target}); one per session, as in QEMU: use * to watch every line`);
    }
    this.intercept = { dir, target };
    watch();
    return 'OK';
  }

  /** Check an intercept target; returns what installs its observer on the bus. */
  private watcher(dir: 'in' | 'out', target: string): () => void {
    if (target === '*') {
      // Every wire, numbered by its index in the machine's wire list.
      return () => { this.bus.onLine = (route, level) => this.irq(route.line, level); };
    }
    if (dir === 'in') {
      // The device's input pins (the CPU's one: cpu.intr), as their wires deliver levels to them.
      const ep = target === 'cpu' ? CPU_TARGET : this.device(target, 'in');
      return () => { this.bus.onLine = (route, level) => { if (route.toDevice === ep) this.irq(route.toPin, level); }; };
    }
    // The device's output pins, as it reports them (wired or not).
    const ep = this.device(target, 'out');
    return () => {
      this.bus.onOutput = (from, pin, level) => {
        if (from !== ep || (this.outLevels.get(pin) ?? 0) === level) return;
        this.outLevels.set(pin, level);
        this.irq(pin, level);
      };
    };
  }

  private setIrqIn(name: string, pinText: string, levelText: string): string {
    const ep = this.device(name, 'in');
    const inputs = this.devices[ep].module.inputs ?? [];
    let pin = inputs.indexOf(pinText);
    if (pin < 0 && /^[0-9]+$/.test(pinText) && Number(pinText) < inputs.length) pin = Number(pinText);
    if (pin < 0) {
      const hint = pinText.length <= SUGGEST_MAX ? didYouMean(pinText, inputs) : '';
      throw new QtestFail(`device "${name}" has no input pin "${shorten(pinText)}". ${hint}Inputs: ${inputs.join(', ')} (or their index)`);
    }
    if (levelText !== '0' && levelText !== '1') throw new QtestFail(`LEVEL "${shorten(levelText)}" must be 0 or 1`);
    this.bus.request(ep, Op.SetInput, pin, Number(levelText), this.now);
    return 'OK';
  }

  private irq(n: number, level: Level): void {
    this.out.push(`IRQ ${level ? 'raise' : 'lower'} ${n}`);
  }

  /** Endpoint index of a device that has pins in direction `dir`. */
  private device(name: string, dir: 'in' | 'out'): number {
    const ep = this.devices.findIndex((d) => d.name === name);
    if (ep < 0) {
      const names = [...this.devices.map((d) => d.name), 'cpu'];
      if (name === 'cpu') throw new QtestFail(dir === 'out' ? 'the CPU has no output pins (its input is cpu.intr: irq_intercept_in cpu)' : 'cpu.intr is driven by its wire, not set by qtest');
      const hint = name.length <= SUGGEST_MAX ? didYouMean(name, names) : '';
      throw new QtestFail(`unknown device "${shorten(name)}". ${hint}Devices: ${names.join(', ')}, or * for every line`);
    }
    const pins = dir === 'in' ? this.devices[ep].module.inputs : this.devices[ep].module.outputs;
    if (!pins?.length) throw new QtestFail(`device "${name}" has no ${dir === 'in' ? 'input' : 'output'} pins`);
    return ep;
  }

  // ---- effects ----------------------------------------------------------------------------------
  /** Device requests made during the command: a reset line restarts every device; exit ends the session. */
  private applyEffects(): void {
    while (this.effects.length) {
      const e = this.effects.shift()!;
      if (e.effect === Effect.Exit) {
        this.end ??= { reason: 'exit', status: e.value, message: e.message };
      } else if (e.effect === Effect.Reset) {
        this.tracer.emit(this.now, 'machine.reset', 'qtest', { why: e.message, count: 1 });
        this.outLevels.clear();
        this.bus.resetAll(this.now);
        this.bus.prime(this.now);
      }
    }
  }
}
