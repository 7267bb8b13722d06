// The 8254 chip (counters 0..2 at 0x40..0x42, control word register at 0x43) and the PC's port
// 0x61 ("port B": channel 2 GATE, speaker data enable, refresh toggle, OUT2).
//
// Channel 0's OUT drives output pin 0 as a level (QEMU: IRQ0 follows OUT; the PIC detects edges).
// Nothing ticks: nextDeadline() names the machine time of OUT0's next change, advance() drives it.
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, Level } from '../../bus/device.js';
import { Channel, type Access } from './channel.js';
import { tickAt, timeOfTick } from './clock.js';
import { pitStateSchema, resetChannel, type PitSnapshot } from './state.js';

/** Region indices, in the order the module declares them. */
export const REGION_IO = 0;
export const REGION_PORTB = 1;

/** Offset of the control word register in the `io` region (A1 = A0 = 1). */
export const PORT_CONTROL = 3;

/** Control word fields (datasheet "Control Word Format"). */
export const CW = {
  SC_SHIFT: 6, // SC1..SC0: counter select; 3 = read-back command
  RW_SHIFT: 4, // RW1..RW0: 0 = counter latch command, 1 LSB, 2 MSB, 3 LSB then MSB
  MODE_SHIFT: 1, // M2..M0
  BCD: 0x01,
  READ_BACK: 3,
} as const;

/** Read-back command bits (active low COUNT and STATUS). */
export const READ_BACK = {
  NOT_COUNT: 0x20,
  NOT_STATUS: 0x10,
  COUNTERS: 0x0e, // bit 1 + n selects counter n
  RESERVED: 0x01,
} as const;

/** Port 0x61 bits. */
export const PORT_B = {
  GATE2: 0x01,
  SPEAKER_DATA: 0x02,
  REFRESH: 0x10,
  OUT2: 0x20,
} as const;

/**
 * Port 0x61 bit 4 toggles on every DRAM refresh request. On a PC/AT that request comes every
 * 15.085 µs (channel 1, mode 2, count 18), so here the bit flips every 18 input clocks of machine
 * time, whatever channel 1 is programmed to. QEMU flips it on every read instead; deriving it from
 * time keeps reads side-effect free and makes "wait for n toggles" delay loops last what they
 * last on hardware.
 */
export const REFRESH_CLOCKS = 18;

export class I8254 implements DeviceCore {
  private readonly channels: Channel[];
  private speakerData: Level = 0;
  /** OUT0 as last driven on pin 0 (null until the first drive). */
  private out0: Level | null = null;
  /** Clock edge at which pin 0 was last driven. */
  private publishedTick = -Infinity;
  /** Latest clock edge seen: time never runs backwards here (see tick()). */
  private lastTick = -Infinity;

  constructor(private readonly ctx: DeviceContext) {
    const k = this.tick();
    this.channels = [0, 1, 2].map((i) => new Channel(i, ctx, resetChannel(i, k)));
    // QEMU's reset drives IRQ0 with the reset OUT0 at once (mode 3 starts high). A host that
    // drops changes made during create() still gets the level from its first advance() (the
    // router's prime()), and nextDeadline() asks for one whenever pin 0 may be stale.
    this.publish();
  }

  /**
   * The clock edge of now. Machine time is monotonic, but a host could deliver an access stamped
   * before a deadline it already served; such an access is taken to happen at the latest time seen.
   */
  private tick(): number {
    const k = tickAt(this.ctx.now());
    if (k > this.lastTick) this.lastTick = k;
    return this.lastTick;
  }

  /** Drive pin 0 with OUT0's level now. */
  private publish(): void {
    this.publishedTick = this.tick();
    const level = this.channels[0].out(this.publishedTick);
    this.out0 = level;
    this.ctx.setOutput(0, level);
  }

  read(region: number, offset: number, _size: AccessSize): number {
    const k = this.tick();
    if (region === REGION_IO && offset >= 0 && offset < PORT_CONTROL) return this.channels[offset].read(k);
    if (region === REGION_IO && offset === PORT_CONTROL) {
      // The datasheet: the control word register cannot be read (the bus floats). QEMU returns 0;
      // so do we, after telling the log.
      this.ctx.guestError('read of the 8254 control word register (write-only)', { offset });
      return 0;
    }
    if (region === REGION_PORTB && offset === 0) return this.readPortB(k);
    this.ctx.guestError('read outside the 8254 regions', { region, offset });
    return 0xff;
  }

  write(region: number, offset: number, _size: AccessSize, value: number): void {
    const k = this.tick();
    const byte = value & 0xff;
    if (region === REGION_IO && offset >= 0 && offset < PORT_CONTROL) this.channels[offset].write(byte, k);
    else if (region === REGION_IO && offset === PORT_CONTROL) this.controlWord(byte, k);
    else if (region === REGION_PORTB && offset === 0) this.writePortB(byte, k);
    else this.ctx.guestError('write outside the 8254 regions', { region, offset, value });
    // A control word or a count can change OUT0 at once (mode 0 goes low, modes 2/3 high).
    this.publish();
  }

  private controlWord(byte: number, k: number): void {
    const sc = byte >> CW.SC_SHIFT;
    if (sc === CW.READ_BACK) return this.readBack(byte, k);
    const channel = this.channels[sc];
    const rw = (byte >> CW.RW_SHIFT) & 3;
    if (rw === 0) return channel.latchCount(k);
    channel.program((byte >> CW.MODE_SHIFT) & 7, rw as Access, (byte & CW.BCD) !== 0, k);
  }

  /** Read-back: latch the count and/or status of each selected counter (v86 lacks it; QEMU has it). */
  private readBack(byte: number, k: number): void {
    if (byte & READ_BACK.RESERVED) {
      this.ctx.guestError('8254 read-back command with reserved bit D0 set', { value: byte });
    }
    for (const channel of this.channels) {
      if (!(byte & (2 << channel.index))) continue;
      channel.settle(k);
      // Status is latched first so that it and a latched count describe the same instant.
      if (!(byte & READ_BACK.NOT_STATUS)) channel.latchStatus(k);
      if (!(byte & READ_BACK.NOT_COUNT)) channel.latchCount(k);
    }
  }

  /**
   * Port 0x61 read as QEMU's pcspk: GATE2 | data enable << 1 | refresh << 4 | OUT2 << 5. Bits 2-3
   * (parity/IOCHK enables) and 6-7 (NMI sources) belong to other devices and read 0 here.
   */
  private readPortB(k: number): number {
    const ch2 = this.channels[2];
    const refresh = Math.floor(k / REFRESH_CLOCKS) & 1;
    return ch2.state.gate | (this.speakerData << 1) | (refresh << 4) | (ch2.out(k) << 5);
  }

  private writePortB(byte: number, k: number): void {
    this.speakerData = byte & PORT_B.SPEAKER_DATA ? 1 : 0;
    this.channels[2].setGate(byte & PORT_B.GATE2 ? 1 : 0, k);
  }

  /** Bring the counters up to now (folding in loads that have happened) and drive OUT0. */
  advance(): void {
    const from = this.publishedTick;
    const k = this.tick();
    // A late host (realtime, CPU busy) would skip a mode-2 pulse that is one clock wide: replay
    // the OUT0 changes since the last drive, in order, so the PIC still sees the edge. QEMU gets
    // the same by evaluating OUT at the timer's due time. At most one pulse: lost ticks stay lost,
    // and are reported (ctx.coalesced → irq.coalesced): the rising edges OUT0 made since the last
    // drive, less those the levels driven now show.
    const ch0 = this.channels[0];
    const rises = from === -Infinity ? 0 : ch0.risingEdges(from, k);
    let level = this.out0;
    let shown = 0;
    for (let t = from, n = 0; n < 2 && t !== -Infinity; n++) {
      const change = ch0.nextChange(t);
      if (change >= k) break;
      const out = ch0.out(change);
      if (level === 0 && out === 1) shown++;
      level = out;
      this.ctx.setOutput(0, out);
      t = change;
    }
    for (const channel of this.channels) channel.settle(k);
    this.publish();
    if (level === 0 && this.out0 === 1) shown++;
    if (rises > shown) this.ctx.coalesced?.(0, rises - shown);
  }

  /**
   * Machine time of OUT0's next change. If pin 0 does not show OUT0's level now (a restore, or a
   * deadline the host has not served yet), advance() is wanted at once.
   */
  nextDeadline(): number {
    const now = this.ctx.now();
    const k = this.tick();
    const ch0 = this.channels[0];
    if (this.out0 !== ch0.out(k)) return now;
    const next = ch0.nextChange(k);
    return next === Infinity ? Infinity : timeOfTick(next);
  }

  snapshot(): PitSnapshot {
    return structuredClone({
      version: 1 as const,
      channels: [this.channels[0].state, this.channels[1].state, this.channels[2].state],
      speakerData: this.speakerData,
      out0: this.out0,
      publishedTick: this.publishedTick,
    });
  }

  restore(state: DeviceState): void {
    const parsed = pitStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`i8254: bad snapshot: ${parsed.error.message}`);
    const s = structuredClone(parsed.data);
    s.channels.forEach((c, i) => { this.channels[i].state = c; });
    this.speakerData = s.speakerData;
    this.out0 = s.out0;
    this.lastTick = -Infinity;
    // A late advance() replays OUT0 from where the saved core last drove it, as the original would.
    this.publishedTick = s.publishedTick ?? this.tick();
    // Pin 0 shows the restored level, not whatever this core drove when it was created.
    if (this.out0 !== null) this.ctx.setOutput(0, this.out0);
  }
}
