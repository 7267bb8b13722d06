// Properties of the MMU over random page tables: mappings a kernel builds translate to the frames
// it chose, cold or warm; and after random edits to the tables plus a CR3 write, every access
// (any CPL, WP, NXE, access kind) agrees with a reference walker written here with bigints.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Access, CR0_WP, EFER_NXE, Mmu, type ControlRegs } from '../../cpu/mmu.js';
import { CpuFault, PF_FETCH, PF_PRESENT, PF_RESERVED, PF_USER, PF_WRITE } from '../../cpu/faults.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import { PWU, PageTables, SIZE, kernelRegs, type PageSize } from './page-builder.js';

interface Mapping { vaddr: number; phys: number; size: PageSize }

// Virtual addresses from a few regions so that mappings share tables and sometimes collide.
const region = fc.constantFrom(0, 0x8000000000, 0x444444400000, 0xffff800000000000, 0xffffff8000000000);
const mapping: fc.Arbitrary<Mapping> = fc.record({
  size: fc.constantFrom<PageSize>('4K', '4K', '4K', '2M', '1G'),
  base: region,
  slot: fc.integer({ min: 0, max: 7 }),
  page: fc.integer({ min: 0, max: 40 }),
  frame: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
}).map(({ size, base, slot, page, frame }) => {
  const s = SIZE[size];
  const vaddr = base + slot * 0x40000000 + (size === '1G' ? 0 : page * s) % 0x40000000;
  return { size, vaddr: Math.floor(vaddr / s) * s, phys: Math.floor(frame * 0x1000 / s) * s };
});

function outcome(f: () => number): number | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof CpuFault) return `#${e.vector}/${e.errorCode}/${e.cr2}`;
    throw e;
  }
}

describe('random mappings', () => {
  it('translate to the frames the kernel chose, with a cold and with a warm TLB', () => {
    fc.assert(fc.property(fc.array(mapping, { minLength: 1, maxLength: 25 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), (maps, offs) => {
      const pt = PageTables.create();
      const mmu = new Mmu(pt.mem, kernelRegs(pt.cr3), 64);
      const made = maps.filter((m) => pt.map(m.vaddr, m.phys, { size: m.size }));
      for (const pass of ['cold', 'warm']) {
        for (const m of made) {
          for (const o of offs) {
            // Upper-half doubles are multiples of 4096: only page-aligned offsets are exact there.
            const off = Math.floor(o * SIZE[m.size] / (m.vaddr >= 2 ** 63 ? 0x1000 : 1)) * (m.vaddr >= 2 ** 63 ? 0x1000 : 1) % SIZE[m.size];
            expect(mmu.translate(m.vaddr + off, Access.Write), `${pass} 0x${m.vaddr.toString(16)}+0x${off.toString(16)}`).toBe(m.phys + off);
          }
        }
      }
      expect(mmu.stats.hits).toBeGreaterThan(0);
    }), { numRuns: 150 });
  });
});

/** A straightforward walker over 64-bit entries (MAXPHYADDR 52, tables outside RAM read as 0). */
function referenceTranslate(mem: PhysicalMemory, r: ControlRegs, vaddr: number, access: Access): number | string {
  const v = BigInt(vaddr);
  const user = r.cpl === 3;
  const nxe = (r.efer & EFER_NXE) !== 0;
  const code = (access === Access.Write ? PF_WRITE : 0) | (user ? PF_USER : 0) | (access === Access.Fetch && nxe ? PF_FETCH : 0);
  const fault = (c: number) => `#14/${c}/${vaddr}`;
  const ADDR = 0x000ffffffffff000n;
  let table = BigInt(r.cr3) & ADDR;
  let w = true, u = true, nx = false;
  for (let level = 4; level >= 1; level--) {
    const shift = BigInt(12 + 9 * (level - 1));
    const at = Number(table + ((v >> shift) & 511n) * 8n);
    const e = at + 8 <= mem.size ? mem.read64(at) : 0n;
    if ((e & 1n) === 0n) return fault(code);
    const ps = (e & 0x80n) !== 0n && level > 1;
    const rsvd = (!nxe && e >> 63n === 1n) || (ps && level === 4)
      || (ps && level === 3 && (e & 0x3fffe000n) !== 0n) || (ps && level === 2 && (e & 0x1fe000n) !== 0n);
    if (rsvd) return fault(code | PF_RESERVED | PF_PRESENT);
    w &&= (e & 2n) !== 0n;
    u &&= (e & 4n) !== 0n;
    nx ||= e >> 63n === 1n;
    if (level === 1 || ps) {
      const size = 1n << shift;
      const denied = (user && !u) || (access === Access.Write && !w && (user || (r.cr0 & CR0_WP) !== 0)) || (access === Access.Fetch && nx && nxe);
      if (denied) return fault(code | PF_PRESENT);
      return Number((e & ADDR & ~(size - 1n)) + (v & (size - 1n)));
    }
    table = e & ADDR;
  }
  throw new Error('unreachable');
}

// Bits worth flipping: P, W, U, PS, A, D, NX (bit 63 = bit 31 of the high half), and low address bits.
const flipBit = fc.constantFrom(0, 1, 2, 7, 5, 6, 63, 12, 13, 14, 20, 21);
const edit = fc.record({ entry: fc.nat(), bit: flipBit });
const probe = fc.record({
  map: fc.nat(),
  off: fc.integer({ min: 0, max: 0x3fffffff }),
  access: fc.constantFrom(Access.Read, Access.Write, Access.Fetch),
  cpl: fc.constantFrom<0 | 3>(0, 3),
  wp: fc.boolean(),
  nxe: fc.boolean(),
});

describe('random page-table edits', () => {
  it('followed by a CR3 write, agree with a fresh reference walk for every access', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ m: mapping, flags: fc.integer({ min: 0, max: 7 }), nx: fc.boolean() }), { minLength: 1, maxLength: 12 }),
      fc.array(edit, { maxLength: 12 }),
      fc.array(probe, { minLength: 1, maxLength: 30 }),
      (maps, edits, probes) => {
        const pt = PageTables.create();
        const regs = kernelRegs(pt.cr3);
        const mmu = new Mmu(pt.mem, regs, 64);
        const made = maps.filter(({ m, flags, nx }) => pt.map(m.vaddr, m.phys, { size: m.size, flags: flags | 1, nx })).map((x) => x.m);
        if (made.length === 0) return;
        const addrOf = (p: { map: number; off: number }) => {
          const m = made[p.map % made.length];
          const off = p.off % SIZE[m.size];
          return m.vaddr >= 2 ** 63 ? m.vaddr + off - (off % 0x1000) : m.vaddr + off;
        };
        const run = () => {
          for (const p of probes) {
            regs.cpl = p.cpl;
            regs.cr0 = p.wp ? (regs.cr0 | CR0_WP) >>> 0 : (regs.cr0 & ~CR0_WP) >>> 0;
            regs.efer = p.nxe ? regs.efer | EFER_NXE : regs.efer & ~EFER_NXE;
            const a = addrOf(p);
            const expected = referenceTranslate(pt.mem, regs, a, p.access);
            expect(outcome(() => mmu.translate(a, p.access)), `0x${a.toString(16)} access ${p.access} cpl ${p.cpl}`).toBe(expected);
          }
        };
        // Edit mostly the entries the mappings use (4 per mapping, fewer for huge pages), sometimes any entry.
        const used = made.flatMap((m) => [4, 3, 2, 1].slice(0, 4 - ['4K', '2M', '1G'].indexOf(m.size)).map((l) => pt.entryAt(m.vaddr, l)));
        run(); // warms the TLB
        for (const e of edits) {
          const table = pt.tables[e.entry % pt.tables.length];
          const entry = e.entry % 4 === 0 ? table + ((e.entry >>> 3) % 512) * 8 : used[(e.entry >>> 2) % used.length];
          const at = entry + (e.bit >= 32 ? 4 : 0);
          pt.mem.view.setUint32(at, (pt.mem.view.getUint32(at, true) ^ (1 << (e.bit % 32))) >>> 0, true);
        }
        mmu.flush();
        run();
      },
    ), { numRuns: 300 });
  });

  it('are invisible without a flush: warm supervisor reads keep their translation', () => {
    fc.assert(fc.property(fc.array(mapping, { minLength: 1, maxLength: 10 }), fc.array(edit, { minLength: 1, maxLength: 20 }), (maps, edits) => {
      const pt = PageTables.create();
      const mmu = new Mmu(pt.mem, kernelRegs(pt.cr3), 4096);
      const made = maps.filter((m) => pt.map(m.vaddr, m.phys, { size: m.size, flags: PWU }));
      const before = made.map((m) => mmu.translate(m.vaddr, Access.Read));
      for (const e of edits) {
        const at = pt.tables[e.entry % pt.tables.length] + ((e.entry >>> 3) % 512) * 8 + (e.bit >= 32 ? 4 : 0);
        pt.mem.view.setUint32(at, (pt.mem.view.getUint32(at, true) ^ (1 << (e.bit % 32))) >>> 0, true);
      }
      // Distinct pages may share a TLB set; only the last one filled into a set is guaranteed cached.
      const sets = new Map<number, number>();
      made.forEach((m, i) => sets.set(Math.floor((m.vaddr >= 2 ** 63 ? m.vaddr - (2 ** 64 - 2 ** 48) : m.vaddr) / 0x1000) % 4096, i));
      for (const i of sets.values()) expect(mmu.translate(made[i].vaddr, Access.Read)).toBe(before[i]);
    }), { numRuns: 200 });
  });
});
