// Physical memory: one SharedArrayBuffer that every actor maps. Addresses are physical;
// the MMU (cpu/) translates before it gets here. Little-endian like the x86 it models.

export class PhysicalMemory {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly size: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.size = buffer.byteLength;
  }

  static allocate(size: number): PhysicalMemory {
    return new PhysicalMemory(new SharedArrayBuffer(size));
  }

  read8(addr: number): number { return this.bytes[addr]; }
  read16(addr: number): number { return this.view.getUint16(addr, true); }
  read32(addr: number): number { return this.view.getUint32(addr, true); }
  /** 64-bit read as a bigint (slow path: use read32 pairs on hot paths). */
  read64(addr: number): bigint { return this.view.getBigUint64(addr, true); }
  write8(addr: number, v: number): void { this.bytes[addr] = v; }
  write16(addr: number, v: number): void { this.view.setUint16(addr, v, true); }
  write32(addr: number, v: number): void { this.view.setUint32(addr, v >>> 0, true); }
  write64(addr: number, v: bigint): void { this.view.setBigUint64(addr, BigInt.asUintN(64, v), true); }

  /** True when [addr, addr+len) lies inside installed RAM. */
  contains(addr: number, len: number): boolean {
    return addr >= 0 && addr + len <= this.size;
  }
}
