// Which IRQ line a vector comes from, learnt as the guest programs its 8259As: ICW1 (a write with
// bit 4 set to the command register) is followed by ICW2, the vector base, on the data register.
// The register names are the i8259 module's (PortMap debug names in io.write records).
import type { TraceRecord } from '../../bus/trace.js';

export class PicMap {
  /** PIC name → vector base (ICW2). */
  readonly bases = new Map<string, number>();
  private readonly icw2Next = new Set<string>();

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
    for (const [chip, base] of this.bases) if (vector >= base && vector < base + 8) return `${chip}.ir${vector - base}`;
    return undefined;
  }

  vectorOf(line: string): number | undefined {
    const m = /^(.+)\.ir(\d)$/.exec(line);
    const base = m ? this.bases.get(m[1]) : undefined;
    return base === undefined ? undefined : base + Number(m![2]);
  }

  reset(): void {
    this.bases.clear();
    this.icw2Next.clear();
  }
}
