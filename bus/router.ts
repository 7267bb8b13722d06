// The CPU's view of the bus: decodes ports to device regions, carries IRQ levels along wires,
// runs the INTA cycle (with 8259A cascading) and keeps every device's next deadline.
// It lives on the CPU's thread: every device interaction is synchronous with the CPU's
// timeline, which is what makes virtual time deterministic.
import type { CpuBus } from './cpu-bus.js';
import { CASCADE, type AccessSize, type Level } from './device.js';
import { Effect, Op, type DeviceEndpoint } from './endpoint.js';
import { CPU_TARGET, type WireRoute } from './irq.js';
import { floatingBus, hex, POST_PORT, type PortMap } from './ports.js';
import { C_BUSY, C_BUSY_SEQ, C_COALESCED, type Tracer } from './control.js';
import { allOnes, MmioMap, type MmioClaim } from './mmio.js';
import { messageFields } from './apic-bus.js';

export interface BusWiring {
  readonly portMap: PortMap;
  /** For each port claim: the endpoint index that owns it. */
  readonly claimEndpoint: readonly number[];
  readonly endpoints: readonly DeviceEndpoint[];
  /** routes[endpoint][outputPin] = the wires that output drives. */
  readonly routes: ReadonlyArray<ReadonlyArray<readonly WireRoute[] | undefined>>;
  /** Shared line levels, indexed by WireRoute.line. */
  readonly lineLevels: Int32Array;
  /** The control block's words (C_BUSY, C_BUSY_SEQ): which device is being called, for the watchdog. */
  readonly watch?: Int32Array;
  /** Physical address ranges devices answer (bus/mmio.ts); none by default. */
  readonly mmio?: readonly MmioClaim[];
  /** Endpoints on the APIC bus (bus/apic-bus.ts): a message one sends goes to the others. */
  readonly apicBus?: readonly number[];
}

export interface UnclaimedCount {
  port: number;
  reads: number;
  writes: number;
}

/** A device asked the machine to exit or reset during a call. */
export class DeviceEffect extends Error {
  constructor(readonly effect: Effect, readonly value: number, readonly device: string) {
    super(effect === Effect.Exit ? `${device} requested exit with ${value}` : `${device} requested a reset`);
  }
}

/**
 * A device asks to be advanced at or before the time it was just advanced to, again and again:
 * its deadline does not move on, and time (virtual) or the CPU (realtime) would stall on it.
 */
export class DeviceStuck extends Error {
  constructor(readonly device: string, readonly t: number) {
    super(`its deadline does not move on: advanced at t=${t} ns, it asked again for the same past deadline ${STUCK_LIMIT} times in a row (after advance(), nextDeadline() must return a later time, or Infinity)`);
  }
}

/** Advances at one time before a device counts as stuck (a device may chain a few events at one instant). */
export const STUCK_LIMIT = 1000;

export class BusRouter implements CpuBus {
  private readonly deadlines: Float64Array;
  private earliest = Infinity;
  /** Level of the CPU's INTR pin. */
  intr: Level = 0;
  private intrSource = -1;
  /** inputDriver[endpoint][inputPin] = endpoint driving it (for CAS: the slave on master input n). */
  private readonly inputDriver: number[][];
  private readonly unclaimed = new Map<number, UnclaimedCount>();
  /** Per device: advances in a row after which its deadline was still due. */
  private readonly stuck: Int32Array;
  private readonly watch: Int32Array | undefined;
  readonly mmio: MmioMap;
  private readonly apicBus: readonly number[];
  /** Called when a device requests exit/reset; default throws DeviceEffect out of the instruction. */
  onEffect: (effect: DeviceEffect) => void = (e) => { throw e; };
  /** Observers for test drivers (qtest, the harness): every output pin change a device reports, wired or not… */
  onOutput: ((ep: number, pin: number, level: Level, now: number) => void) | undefined;
  /** …and every level change on a wire, before it reaches the input at the far end. */
  onLine: ((route: WireRoute, level: Level, now: number) => void) | undefined;
  /** …and every output's edges merged away (a late host; wired or not): irq.coalesced on its wires. */
  onCoalesced: ((ep: number, pin: number, count: number, now: number) => void) | undefined;

  constructor(private readonly wiring: BusWiring, private readonly tracer: Tracer) {
    const n = wiring.endpoints.length;
    this.deadlines = new Float64Array(n).fill(Infinity);
    this.stuck = new Int32Array(n);
    this.watch = wiring.watch;
    this.mmio = new MmioMap(wiring.mmio ?? []);
    this.apicBus = wiring.apicBus ?? [];
    this.inputDriver = wiring.endpoints.map(() => []);
    wiring.routes.forEach((pins, from) =>
      pins.forEach((routes) =>
        routes?.forEach((r) => {
          if (r.toDevice === CPU_TARGET) this.intrSource = from;
          else this.inputDriver[r.toDevice][r.toPin] = from;
        }),
      ),
    );
  }

  get nextDeadline(): number { return this.earliest; }

  in(port: number, size: AccessSize, now: number): number {
    const claimIndex = this.wiring.portMap.lookup(port);
    if (claimIndex < 0) return this.unclaimedAccess(port, size, false, 0, now);
    const claim = this.wiring.portMap.claims[claimIndex];
    const offset = port - claim.base;
    if (size !== 1 && (!claim.widths.includes(size) || offset + size > claim.size)) return this.splitIn(port, size, claim.widths, now);
    const ep = this.wiring.claimEndpoint[claimIndex];
    const value = this.call(ep, Op.Read, claim.regionIndex, offset, size, 0, now);
    this.settle(ep, now);
    if (this.tracer.on) {
      this.tracer.ioRead(now, port, size, value, claim.device, this.wiring.portMap);
    }
    return value;
  }

  out(port: number, size: AccessSize, value: number, now: number): void {
    const claimIndex = this.wiring.portMap.lookup(port);
    if (claimIndex < 0) {
      this.unclaimedAccess(port, size, true, value, now);
      return;
    }
    const claim = this.wiring.portMap.claims[claimIndex];
    const offset = port - claim.base;
    if (size !== 1 && (!claim.widths.includes(size) || offset + size > claim.size)) {
      this.splitOut(port, size, value, claim.widths, now);
      return;
    }
    if (this.tracer.on) {
      this.tracer.ioWrite(now, port, size, value, claim.device, this.wiring.portMap);
    }
    const ep = this.wiring.claimEndpoint[claimIndex];
    this.call(ep, Op.Write, claim.regionIndex, offset, size, value, now);
    this.settle(ep, now);
  }

  /** A load from a physical address above RAM: the MMIO region's read, or all ones (bus/mmio.ts). */
  mmioRead(pa: number, size: AccessSize, now: number): number {
    const c = pa >= 0 ? this.mmio.decode(pa, size, false, 0, now, this.tracer) : undefined;
    if (c === undefined) return allOnes(size);
    const value = this.call(c.endpoint, Op.Read, c.regionIndex, pa - c.base, size, 0, now);
    this.settle(c.endpoint, now);
    if (this.tracer.on) this.tracer.emit(now, 'mmio.read', 'cpu', { addr: pa, size, value, device: c.device, reg: this.mmio.registerName(c, pa) });
    return value;
  }

  /** A store to a physical address above RAM: the MMIO region's write, or nowhere. */
  mmioWrite(pa: number, size: AccessSize, value: number, now: number): void {
    const c = pa >= 0 ? this.mmio.decode(pa, size, true, value, now, this.tracer) : undefined;
    if (c === undefined) return;
    if (this.tracer.on) this.tracer.emit(now, 'mmio.write', 'cpu', { addr: pa, size, value, device: c.device, reg: this.mmio.registerName(c, pa) });
    this.call(c.endpoint, Op.Write, c.regionIndex, pa - c.base, size, value, now);
    this.settle(c.endpoint, now);
  }

  /** The INTA cycle: the controller on INTR answers, or names the slave (CAS) that does. */
  acknowledge(now: number): number {
    if (this.intrSource < 0) throw new Error('INTA with nothing wired to cpu.intr');
    let ep = this.intrSource;
    for (let depth = 0; depth < 4; depth++) {
      const v = this.call(ep, Op.Acknowledge, 0, 0, 0, 0, now);
      this.settle(ep, now);
      if (v < CASCADE) return v;
      const slave = this.inputDriver[ep][v - CASCADE];
      if (slave === undefined) throw new Error(`${this.wiring.endpoints[ep].name} cascades to input ${v - CASCADE}, which no device drives`);
      ep = slave;
    }
    throw new Error('INTA cascade deeper than 4 controllers');
  }

  /** Call advance() on every device whose deadline has come; a device whose deadline never moves on is DeviceStuck. */
  advanceDue(now: number): void {
    if (this.earliest > now) return;
    const d = this.deadlines;
    for (let ep = 0; ep < d.length; ep++) {
      const due = d[ep];
      if (due > now) continue;
      this.call(ep, Op.Advance, 0, 0, 0, 0, now);
      this.settle(ep, now);
      // Catching up (a deadline that moves on, still behind a late host's clock) is not stuck.
      if (d[ep] > now || d[ep] > due) this.stuck[ep] = 0;
      else if (++this.stuck[ep] >= STUCK_LIMIT) throw new DeviceStuck(this.wiring.endpoints[ep].name, now);
    }
  }

  /** Ask every device to flush (final screen scan) before the machine stops or idles for good. */
  flushAll(now: number): void {
    this.each(Op.Flush, now, () => true);
  }

  /** Devices flagged asynchronous work (input arrived on their threads): let them run now. */
  service(mask: number, now: number): void {
    this.each(Op.Service, now, (ep) => (mask & (1 << ep)) !== 0);
  }

  /** Pull every device's reset line (a machine reset): power-on state, fresh deadlines. */
  resetAll(now: number): void {
    this.intr = 0;
    this.wiring.lineLevels.fill(0);
    this.each(Op.Reset, now, () => true);
  }

  /**
   * Deliver every device deadline up to `target`, earliest first, each at its own time (test
   * drivers: the CPU does this one instruction boundary at a time). Output changes travel the
   * wires as they happen, so a PIT's OUT edges reach the PIC in order.
   */
  advanceThrough(target: number): void {
    while (this.earliest <= target) this.advanceDue(this.earliest); // a stuck deadline throws DeviceStuck
  }

  /** One request to one device outside the CPU's cycles (a test driving an input pin, INTA), its outputs carried along the wires. */
  request(ep: number, op: Op, a: number, b: number, now: number): number {
    const v = this.call(ep, op, a, b, 0, 0, now);
    this.settle(ep, now);
    return v;
  }

  /** Ask every device for its deadline (at start). */
  prime(now: number): void {
    this.each(Op.Advance, now, () => true);
  }

  private each(op: Op, now: number, wanted: (ep: number) => boolean): void {
    for (let ep = 0; ep < this.wiring.endpoints.length; ep++) {
      if (!wanted(ep)) continue;
      this.call(ep, op, 0, 0, 0, 0, now);
      this.settle(ep, now);
    }
  }

  /** Every device call goes here: the watchdog (main thread) sees which device is being called. */
  private call(ep: number, op: Op, a: number, b: number, c: number, value: number, now: number): number {
    const w = this.watch;
    if (w === undefined) return this.wiring.endpoints[ep].call(op, a, b, c, value, now);
    const outer = w[C_BUSY];
    w[C_BUSY] = ep + 1;
    w[C_BUSY_SEQ]++;
    const v = this.wiring.endpoints[ep].call(op, a, b, c, value, now);
    w[C_BUSY] = outer; // a throw leaves it set: the run ends there (the watchdog stops with the machine)
    return v;
  }

  unclaimedTable(): UnclaimedCount[] {
    return [...this.unclaimed.values()].sort((a, b) => a.port - b.port);
  }

  /** After a call: propagate output changes along wires, note the deadline, apply effects. */
  private settle(ep: number, now: number): void {
    const r = this.wiring.endpoints[ep].result;
    if (r.deadline !== this.deadlines[ep]) {
      this.deadlines[ep] = r.deadline;
      let min = Infinity;
      for (const d of this.deadlines) if (d < min) min = d;
      this.earliest = min;
    }
    const effect = r.effect;
    if (r.lostPins !== 0) this.coalesced(ep, r.lost, now); // makes no device call
    r.lostPins = 0;
    // Copied first: a nested call to this device (a message answered by it) reuses its result.
    const msgs = r.msgCount > 0 ? Array.from(r.msgs.subarray(0, r.msgCount)) : undefined;
    r.msgCount = 0;
    if (r.outCount === 1) {
      // The common case: one pin moved. Read it before the nested calls reuse the result.
      const pin = r.outs[0];
      const level = r.outs[1] as Level;
      r.outCount = 0;
      this.drive(ep, pin, level, now);
    } else if (r.outCount > 1) {
      const changes = Array.from(r.outs.subarray(0, r.outCount * 2));
      r.outCount = 0;
      for (let i = 0; i < changes.length; i += 2) this.drive(ep, changes[i], changes[i + 1] as Level, now);
    }
    if (msgs !== undefined) for (const m of msgs) this.sendMessage(ep, m, now);
    if (effect !== Effect.None) {
      r.effect = Effect.None;
      this.onEffect(new DeviceEffect(effect, r.effectValue, this.wiring.endpoints[ep].name));
    }
  }

  /**
   * A device merged output edges (time jumped past them): irq.coalesced on each wire the pin drives,
   * named as irq.level names it, and the running total in the control block (C_COALESCED). An
   * output wired nowhere loses nothing anyone could see.
   */
  private coalesced(ep: number, lost: Int32Array, now: number): void {
    const name = this.wiring.endpoints[ep].name;
    for (let pin = 0; pin < lost.length; pin++) {
      const count = lost[pin];
      if (count === 0) continue;
      lost[pin] = 0;
      this.onCoalesced?.(ep, pin, count, now);
      const routes = this.wiring.routes[ep]?.[pin] ?? [];
      // One record per wire (each line saw fewer edges); the output's edges counted once in the total.
      for (const route of routes) this.tracer.emit(now, 'irq.coalesced', name, { line: route.input, count, output: outputOf(route) });
      if (routes.length > 0 && this.watch !== undefined) Atomics.add(this.watch, C_COALESCED, count);
    }
  }

  private drive(ep: number, pin: number, level: Level, now: number): void {
    this.onOutput?.(ep, pin, level, now);
    const routes = this.wiring.routes[ep]?.[pin];
    if (!routes) return;
    for (const route of routes) {
      if (this.wiring.lineLevels[route.line] === level) continue;
      Atomics.store(this.wiring.lineLevels, route.line, level);
      if (this.tracer.on) this.tracer.irqLevel(now, this.wiring.endpoints[ep].name, route, level);
      this.onLine?.(route, level, now);
      if (route.toDevice === CPU_TARGET) {
        this.intr = level;
      } else {
        this.call(route.toDevice, Op.SetInput, route.toPin, level, 0, 0, now);
        this.settle(route.toDevice, now);
      }
    }
  }

  /** An APIC bus message from `from`: traced, then given to every other device on the bus. */
  private sendMessage(from: number, message: number, now: number): void {
    if (this.tracer.on) this.tracer.emit(now, 'apic.message', this.wiring.endpoints[from].name, messageFields(message));
    for (const ep of this.apicBus) {
      if (ep === from) continue;
      this.call(ep, Op.Message, message, 0, 0, 0, now);
      this.settle(ep, now);
    }
  }

  private unclaimedAccess(port: number, size: AccessSize, write: boolean, value: number, now: number): number {
    if (port === POST_PORT && write) return 0;
    let entry = this.unclaimed.get(port);
    if (!entry) {
      entry = { port, reads: 0, writes: 0 };
      this.unclaimed.set(port, entry);
      this.tracer.emit(now, 'io.unclaimed', 'bus', { port, size, dir: write ? 'write' : 'read', value: write ? value : floatingBus(size) });
    }
    if (write) entry.writes++;
    else entry.reads++;
    return floatingBus(size);
  }

  /** Split a wide access into little-endian parts the region accepts (QEMU's access splitting). */
  private splitIn(port: number, size: AccessSize, widths: readonly AccessSize[], now: number): number {
    const part = widestBelow(widths, size);
    let value = 0;
    for (let i = 0; i < size; i += part) value += this.in(port + i, part, now) * 2 ** (8 * i);
    return value >>> 0;
  }

  private splitOut(port: number, size: AccessSize, value: number, widths: readonly AccessSize[], now: number): void {
    const part = widestBelow(widths, size);
    const mask = part === 4 ? 0xffffffff : (1 << (8 * part)) - 1;
    for (let i = 0; i < size; i += part) this.out(port + i, part, (Math.floor(value / 2 ** (8 * i)) & mask) >>> 0, now);
  }
}

function widestBelow(widths: readonly AccessSize[], size: AccessSize): AccessSize {
  let best: AccessSize = 1;
  for (const w of widths) if (w < size && w > best) best = w;
  return best;
}

export { hex };

/** "pit.out0" of the route "pit.out0 -> pic1.ir0": the output end, as the wire was written. */
function outputOf(route: WireRoute): string {
  return route.name.slice(0, route.name.indexOf(' -> '));
}
