// Test rigs for the i8259 core. picChip(): one chip with port helpers. PicPair: two cores wired
// like a PC: the slave's INT drives master IR2, INTA goes to the master and, when it answers
// CASCADE + 2, to the slave. PicPair ports are addressed by their PC numbers.
import { CASCADE, type DeviceCore, type Level } from '../../bus/device.js';
import { i8259 } from '../../devices/i8259/module.js';
import { i8259Options } from '../../devices/i8259/options.js';
import { FakeContext } from './fake-context.js';

/** A FakeContext whose output changes are forwarded to a listener (a wire to another device). */
export class WiredContext extends FakeContext {
  onOutput: ((pin: number, level: Level) => void) | undefined;

  override setOutput(pin: number, level: Level): void {
    const before = this.level(pin);
    super.setOutput(pin, level);
    if (before !== level) this.onOutput?.(pin, level);
  }
}

export class PicPair {
  readonly masterCtx = new FakeContext('pic1');
  readonly slaveCtx = new WiredContext('pic2');
  readonly master: DeviceCore;
  readonly slave: DeviceCore;

  /** `cascadeInput` is the master input the slave's INT is soldered to (2 on a PC). */
  constructor(readonly cascadeInput = 2) {
    this.master = i8259.create(this.masterCtx, { role: 'master' });
    this.slave = i8259.create(this.slaveCtx, { role: 'slave' });
    this.slaveCtx.onOutput = (pin, level) => {
      if (pin === 0) this.master.setInput!(cascadeInput, level);
    };
  }

  out(port: number, value: number): void {
    const [core, region, offset] = this.decode(port);
    core.write(region, offset, 1, value);
  }

  in(port: number): number {
    const [core, region, offset] = this.decode(port);
    return core.read(region, offset, 1);
  }

  /** Drive ISA IRQ line 0..15 (IRQ n >= 8 is slave input n - 8). */
  irq(n: number, level: Level): void {
    if (n < 8) this.master.setInput!(n, level);
    else this.slave.setInput!(n - 8, level);
  }

  /** A short pulse on an IRQ line, as an edge-triggered ISA device produces. */
  pulse(n: number): void {
    this.irq(n, 1);
    this.irq(n, 0);
  }

  /** The CPU's INTR input. */
  get intr(): Level {
    return this.masterCtx.level(0);
  }

  /** The CPU's INTA cycle(s): the vector the CPU receives. */
  inta(): number {
    const answer = this.master.acknowledge!();
    if (answer < CASCADE) return answer;
    if (answer - CASCADE !== this.cascadeInput) throw new Error(`no slave wired to master input ${answer - CASCADE}`);
    return this.slave.acknowledge!();
  }

  /** Read ISR of a chip through OCW3, then switch back to reading IRR. */
  isr(chip: 'master' | 'slave'): number {
    const cmd = chip === 'master' ? 0x20 : 0xa0;
    this.out(cmd, 0x0b);
    const value = this.in(cmd);
    this.out(cmd, 0x0a);
    return value;
  }

  /** What firmware (SeaBIOS) leaves: bases 0x08 / 0x70, cascade on IR2, then the given masks. */
  biosInit(masterMask: number, slaveMask: number): void {
    this.initialize(0x08, 0x70);
    this.out(0x21, masterMask);
    this.out(0xa1, slaveMask);
  }

  /** pic8259 0.11 ChainedPics::initialize (the port-0x80 waits between writes are omitted). */
  chainedPicsInitialize(offset1: number, offset2: number): void {
    const m1 = this.in(0x21);
    const m2 = this.in(0xa1);
    this.initialize(offset1, offset2);
    this.out(0x21, m1);
    this.out(0xa1, m2);
  }

  /** pic8259 ChainedPics::notify_end_of_interrupt. */
  notifyEndOfInterrupt(vector: number, offset1 = 32, offset2 = 40): void {
    if (vector < offset1 || vector >= offset2 + 8) return;
    if (vector >= offset2) this.out(0xa0, 0x20);
    this.out(0x20, 0x20);
  }

  private initialize(offset1: number, offset2: number): void {
    this.out(0x20, 0x11);
    this.out(0xa0, 0x11);
    this.out(0x21, offset1);
    this.out(0xa1, offset2);
    this.out(0x21, 0x04);
    this.out(0xa1, 0x02);
    this.out(0x21, 0x01);
    this.out(0xa1, 0x01);
  }

  private decode(port: number): [DeviceCore, number, number] {
    switch (port) {
      case 0x20: return [this.master, 0, 0];
      case 0x21: return [this.master, 0, 1];
      case 0xa0: return [this.slave, 0, 0];
      case 0xa1: return [this.slave, 0, 1];
      case 0x4d0: return [this.master, 1, 0];
      case 0x4d1: return [this.slave, 1, 0];
      default: throw new Error(`no PIC port 0x${port.toString(16)}`);
    }
  }
}

/** One chip driven through its ports and pins: the fixture of the single-chip tests. */
export function picChip(role: 'master' | 'slave' = 'master', name = 'pic1') {
  const ctx = new FakeContext(name);
  const core = i8259.create(ctx, i8259Options.parse({ role }));
  const cmd = (v: number) => core.write(0, 0, 1, v);
  const data = (v: number) => core.write(0, 1, 1, v);
  const readCmd = () => core.read(0, 0, 1);
  return {
    ctx, core, cmd, data, readCmd,
    readData: () => core.read(0, 1, 1),
    writeElcr: (v: number) => core.write(1, 0, 1, v),
    readElcr: () => core.read(1, 0, 1),
    irq: (n: number, level: Level) => core.setInput!(n, level),
    pulse: (n: number) => { core.setInput!(n, 1); core.setInput!(n, 0); },
    ack: () => core.acknowledge!(),
    int: () => ctx.level(0),
    isr: () => { cmd(0x0b); const v = readCmd(); cmd(0x0a); return v; },
    /** ICW1 0x11 (edge, cascade, IC4), ICW2 base, ICW3, ICW4 (default 8086 mode). */
    init: (base = 0x20, icw3 = 0, icw4 = 0x01) => { cmd(0x11); data(base); data(icw3); data(icw4); },
  };
}

