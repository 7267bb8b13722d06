// Which IRQ line a vector comes from, learnt as the guest programs its 8259As: ICW1 (a write with
// bit 4 set to the command register) is followed by ICW2, the vector base, on the data register.
// The register names are the i8259 module's (PortMap debug names in io.write records).
// With APICs, a vector's line is learnt from what the APICs send: an I/O APIC's interrupt message
// follows the rising edge of the input that caused it (apic.message from that device), and a local
// APIC timer expiry (lapic.timer) is a line of its own, "<lapic>.timer". An APIC route wins over a
// PIC's vector base (a kernel that moved to the APICs masked its PICs).
import type { TraceRecord } from '../../bus/trace.js';

export class PicMap {
  /** PIC name → vector base (ICW2). */
  readonly bases = new Map<string, number>();
  private readonly icw2Next = new Set<string>();
  /** Vector → line, from APIC messages and timer expiries. */
  private readonly apic = new Map<number, string>();
  /** Per device: the input that rose last (an I/O APIC's message names no pin). */
  private readonly lastRise = new Map<string, string>();

  /**
   * Look at a record for APIC routes: an input's rising edge, an APIC message (fixed or lowest
   * priority: an interrupt) from the device whose input rose, a local APIC timer expiry. Returns
   * the timer's line name for an unmasked expiry (an edge of that line), else undefined.
   */
  observe(r: TraceRecord): string | undefined {
    if (r.kind === 'irq.level') {
      if (r.state === 1) {
        const line = String(r.line);
        this.lastRise.set(line.slice(0, line.lastIndexOf('.')), line);
      }
    } else if (r.kind === 'apic.message') {
      const line = this.lastRise.get(r.src);
      if (line !== undefined && (r.type === 'fixed' || r.type === 'lowest-priority')) this.apic.set(Number(r.vector), line);
    } else if (r.kind === 'lapic.timer' && r.masked === 0) {
      const line = `${r.src}.timer`;
      this.apic.set(Number(r.vector), line);
      return line;
    }
    return undefined;
  }

  /**
   * Look at an io.write record. Returns the PIC's name when it was ICW1: the chip starts over and
   * forgets its requests (the edge sense is reset; an input must go low and high again).
   */
  write(r: TraceRecord): string | undefined {
    const device = String(r.device);
    const value = Number(r.value);
    if (r.reg === 'ICW1/OCW2/OCW3' && (value & 0x10) !== 0) {
      this.icw2Next.add(device);
      return device;
    }
    if (r.reg === 'ICW2-4/OCW1' && this.icw2Next.delete(device)) this.bases.set(device, value & 0xf8);
    return undefined;
  }

  /** The input a vector belongs to ("pic1.ir0"); a slave's vectors are its own (the master only cascades). */
  lineOf(vector: number): string | undefined {
    const routed = this.apic.get(vector);
    if (routed !== undefined) return routed;
    for (const [chip, base] of this.bases) if (vector >= base && vector < base + 8) return `${chip}.ir${vector - base}`;
    return undefined;
  }

  vectorOf(line: string): number | undefined {
    for (const [vector, routed] of this.apic) if (routed === line) return vector;
    const m = /^(.+)\.ir(\d)$/.exec(line);
    const base = m ? this.bases.get(m[1]) : undefined;
    return base === undefined ? undefined : base + Number(m![2]);
  }

  reset(): void {
    this.bases.clear();
    this.icw2Next.clear();
    this.apic.clear();
    this.lastRise.clear();
  }
}
