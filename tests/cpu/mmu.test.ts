// What a kernel observes of the MMU: its mappings take effect, its mistakes fault with the error
// code its page-fault handler prints, the CPU marks pages accessed and dirty, and the TLB keeps a
// stale mapping until the kernel flushes it.
import { describe, it, expect } from 'vitest';
import { Access, CR0_PG, CR0_WP, CR4_PAE, EFER_NXE, Mmu, crossesPage, pageTableIndices } from '../../cpu/mmu.js';
import { CpuFault, PF_FETCH, PF_PRESENT, PF_RESERVED, PF_USER, PF_WRITE, Vector } from '../../cpu/faults.js';
import { LOWER_HALF_END, PageTableFlags as F, formatFlags, readEntryHi } from '../../cpu/paging.js';
import { T_DIRTY, T_NX, T_USER, T_WRITABLE } from '../../cpu/tlb.js';
import { PWU, PageTables, kernelRegs } from './page-builder.js';

function setup() {
  const pt = PageTables.create();
  const regs = kernelRegs(pt.cr3);
  return { pt, regs, mmu: new Mmu(pt.mem, regs) };
}

/** The fault a translation raises (fails the test when it translates). */
function faultOf(run: () => unknown): CpuFault {
  try {
    run();
  } catch (e) {
    if (e instanceof CpuFault) return e;
    throw e;
  }
  throw new Error('expected a fault, the access translated');
}

function expectPageFault(run: () => unknown, code: number, cr2: number): void {
  const f = faultOf(run);
  expect({ vector: f.vector, code: f.errorCode, cr2: f.cr2 }).toEqual({ vector: Vector.PF, code, cr2 });
}

describe('page-table indices (post 08 / §16 vectors)', () => {
  it('splits the post-09 page 0xdeadbeaf000 into L4 27, L3 427, L2 223, L1 175', () => {
    expect(pageTableIndices(0xdeadbeaf000)).toEqual({ l4: 27, l3: 427, l2: 223, l1: 175, offset: 0 });
  });
  it('splits the fault demo address 0xdeadbeaf into L4 0, L3 3, L2 245, L1 219, offset 0xeaf', () => {
    expect(pageTableIndices(0xdeadbeaf)).toEqual({ l4: 0, l3: 3, l2: 245, l1: 219, offset: 0xeaf });
  });
  it('splits the post-08 worked example 0x803FE7F5CE into L4 1, L3 0, L2 511, L1 127, offset 0x5ce', () => {
    expect(pageTableIndices(0x803fe7f5ce)).toEqual({ l4: 1, l3: 0, l2: 511, l1: 127, offset: 0x5ce });
  });
  it('puts the first heap page 0x444444440000 at L4 136, L3 273, L2 34, L1 64', () => {
    expect(pageTableIndices(0x444444440000)).toMatchObject({ l4: 136, l3: 273, l2: 34, l1: 64 });
  });
  it('places the upper half at L4 256 and up, and rejects non-canonical addresses', () => {
    expect(pageTableIndices(0xffff800000000000).l4).toBe(256);
    expect(pageTableIndices(0xfffffffffffff000).l4).toBe(511);
    expect(() => pageTableIndices(0x800000000000)).toThrow(RangeError);
  });
});

describe('translation', () => {
  it('maps a 4 KiB page to its frame and keeps the offset', () => {
    const { pt, mmu } = setup();
    pt.map(0x400000, 0x123000);
    expect(mmu.translate(0x400000, Access.Read)).toBe(0x123000);
    expect(mmu.translate(0x400abc, Access.Write)).toBe(0x123abc);
    expect(mmu.translate(0x400fff, Access.Fetch)).toBe(0x123fff);
  });

  it('reproduces the post-08 diagram: 0x803FE7F5CE through frame 0x3000 is physical 0x35CE', () => {
    const { pt, mmu } = setup();
    pt.map(0x803fe7f000, 0x3000);
    expect(mmu.translate(0x803fe7f5ce, Access.Read)).toBe(0x35ce);
  });

  it('puts the post-09 "New!" write at page 0xdeadbeaf000 + 3200 into VGA cell 1600', () => {
    const { pt, mmu } = setup();
    pt.map(0xdeadbeaf000, 0xb8000, { flags: F.PRESENT | F.WRITABLE });
    expect(mmu.translate(0xdeadbeaf000 + 3200, Access.Write)).toBe(0xb8000 + 1600 * 2);
  });

  it('maps every 4 KiB piece of a 2 MiB page (HUGE_PAGE in the level-2 entry)', () => {
    const { pt, mmu } = setup();
    pt.map(0x40000000, 0x600000, { size: '2M' });
    for (const off of [0, 0x1234, 0x1ff000, 0x1fffff]) expect(mmu.translate(0x40000000 + off, Access.Read)).toBe(0x600000 + off);
  });

  it('maps a 1 GiB page (HUGE_PAGE in the level-3 entry) like the bootloader\'s physical-memory map', () => {
    const { pt, mmu } = setup();
    pt.map(0x18000000000, 0x40000000, { size: '1G' });
    for (const off of [0, 0xb8000, 0x3fffffff]) expect(mmu.translate(0x18000000000 + off, Access.Read)).toBe(0x40000000 + off);
  });

  it('carries physical-address bits 32..51 of an entry', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0x000f_1234_5678_9000);
    expect(mmu.translate(0x5042, Access.Read)).toBe(0x000f_1234_5678_9042);
  });

  it('translates upper-half (kernel-space) addresses', () => {
    const { pt, mmu } = setup();
    pt.map(0xffff800000000000, 0x7000);
    pt.map(0xfffffffffffff000, 0x8000);
    expect(mmu.translate(0xffff800000000000, Access.Read)).toBe(0x7000);
    expect(mmu.translate(0xffff800000000000 + 0x1000 * 0, Access.Write)).toBe(0x7000);
    expect(mmu.translate(0xfffffffffffff000, Access.Read)).toBe(0x8000);
  });

  it('is the identity, without checks, while CR0.PG is clear', () => {
    const { regs, mmu } = setup();
    regs.cr0 = 0x11;
    expect(mmu.translate(0xb8000, Access.Write)).toBe(0xb8000);
    expect(mmu.translate(0xdeadbeaf, Access.Fetch)).toBe(0xdeadbeaf);
    expect(mmu.stats).toEqual({ hits: 0, misses: 0, walks: 0 });
  });

  it('tells the CPU when an access crosses a page', () => {
    expect(crossesPage(0xffc, 4)).toBe(false);
    expect(crossesPage(0xffd, 4)).toBe(true);
    expect(crossesPage(0x1000, 8)).toBe(false);
  });
});

describe('page faults and their error codes', () => {
  it('raises #PF with code 0 for a read and CAUSED_BY_WRITE for a write when the page is absent', () => {
    const { mmu } = setup();
    expectPageFault(() => mmu.translate(0xdeadbeaf, Access.Read), 0, 0xdeadbeaf);
    expectPageFault(() => mmu.translate(0xdeadbeaf, Access.Write), PF_WRITE, 0xdeadbeaf);
  });

  it.each([4, 3, 2, 1])('reports not-present when the level-%i entry is missing', (level) => {
    const { pt, mmu } = setup();
    pt.map(0x201000, 0x9000);
    pt.edit(0x201000, level, 0, F.PRESENT);
    expectPageFault(() => mmu.translate(0x201008, Access.Write), PF_WRITE, 0x201008);
    expectPageFault(() => mmu.translate(0x201008, Access.Fetch), PF_FETCH, 0x201008);
  });

  it('faults a supervisor write to a read-only code page with PROTECTION_VIOLATION | CAUSED_BY_WRITE (CR0.WP set), after reads worked', () => {
    const { pt, mmu } = setup();
    pt.map(0x203000, 0x403000, { flags: F.PRESENT });
    expect(mmu.translate(0x2031b2, Access.Read)).toBe(0x4031b2);
    expectPageFault(() => mmu.translate(0x2031b2, Access.Write), PF_PRESENT | PF_WRITE, 0x2031b2);
  });

  it('lets the supervisor write a read-only page when CR0.WP is clear', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x203000, 0x403000, { flags: F.PRESENT });
    regs.cr0 = (regs.cr0 & ~CR0_WP) >>> 0;
    expect(mmu.translate(0x203010, Access.Write)).toBe(0x403010);
    expect(pt.lo(0x203000, 1) & F.DIRTY).toBe(F.DIRTY);
  });

  it('faults a user write to a read-only page even with CR0.WP clear', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x203000, 0x403000, { flags: F.PRESENT | F.USER_ACCESSIBLE });
    regs.cr0 = (regs.cr0 & ~CR0_WP) >>> 0;
    regs.cpl = 3;
    expect(mmu.translate(0x203010, Access.Read)).toBe(0x403010);
    expectPageFault(() => mmu.translate(0x203010, Access.Write), PF_PRESENT | PF_WRITE | PF_USER, 0x203010);
  });

  it('faults a user access to a supervisor page, and lets the user use a user page', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x300000, 0x500000, { flags: F.PRESENT | F.WRITABLE });
    pt.map(0x301000, 0x501000);
    regs.cpl = 3;
    expectPageFault(() => mmu.translate(0x300004, Access.Read), PF_PRESENT | PF_USER, 0x300004);
    expectPageFault(() => mmu.translate(0x300004, Access.Write), PF_PRESENT | PF_WRITE | PF_USER, 0x300004);
    expect(mmu.translate(0x301004, Access.Write)).toBe(0x501004);
  });

  it('applies a restrictive flag in a higher level to every page below it', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x600000, 0x700000);
    pt.map(0x8000000000, 0x701000);
    pt.edit(0x600000, 3, 0, F.WRITABLE); // read-only level-3 entry
    pt.edit(0x8000000000, 4, 0, F.USER_ACCESSIBLE); // supervisor-only level-4 entry
    expectPageFault(() => mmu.translate(0x600000, Access.Write), PF_PRESENT | PF_WRITE, 0x600000);
    regs.cpl = 3;
    expectPageFault(() => mmu.translate(0x8000000000, Access.Read), PF_PRESENT | PF_USER, 0x8000000000);
  });

  it('faults an instruction fetch from a NO_EXECUTE page (EFER.NXE set) with PROTECTION_VIOLATION | INSTRUCTION_FETCH', () => {
    const { pt, mmu } = setup();
    pt.map(0x444444440000, 0x800000, { nx: true });
    expect(mmu.translate(0x444444440010, Access.Read)).toBe(0x800010);
    expect(mmu.translate(0x444444440010, Access.Write)).toBe(0x800010);
    expectPageFault(() => mmu.translate(0x444444440010, Access.Fetch), PF_PRESENT | PF_FETCH, 0x444444440010);
  });

  it('honours NO_EXECUTE set in a level-2 entry above an executable page', () => {
    const { pt, mmu } = setup();
    pt.map(0x900000, 0x900000);
    pt.mem.view.setUint32(pt.entryAt(0x900000, 2) + 4, readEntryHi(pt.mem, pt.entryAt(0x900000, 2)) | 0x80000000, true);
    expectPageFault(() => mmu.translate(0x900000, Access.Fetch), PF_PRESENT | PF_FETCH, 0x900000);
  });

  it('treats bit 63 as a reserved bit when EFER.NXE is clear (MALFORMED_TABLE | PROTECTION_VIOLATION, no fetch bit)', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x444444440000, 0x800000, { nx: true });
    regs.efer &= ~EFER_NXE;
    expectPageFault(() => mmu.translate(0x444444440000, Access.Read), PF_RESERVED | PF_PRESENT, 0x444444440000);
    expectPageFault(() => mmu.translate(0x444444440000, Access.Fetch), PF_RESERVED | PF_PRESENT, 0x444444440000);
    regs.cpl = 3;
    expectPageFault(() => mmu.translate(0x444444440000, Access.Write), PF_RESERVED | PF_PRESENT | PF_WRITE | PF_USER, 0x444444440000);
  });

  it('reports a reserved-bit fault for HUGE_PAGE in a level-4 entry and for a misaligned 2 MiB page', () => {
    const { pt, mmu } = setup();
    pt.map(0x1000, 0x1000);
    pt.edit(0x1000, 4, F.HUGE_PAGE);
    expectPageFault(() => mmu.translate(0x1000, Access.Read), PF_RESERVED | PF_PRESENT, 0x1000);
    pt.map(0x8000200000, 0x600000 + 0x2000, { size: '2M' });
    expectPageFault(() => mmu.translate(0x8000200000, Access.Read), PF_RESERVED | PF_PRESENT, 0x8000200000);
  });

  it('raises #GP(0), not #PF, for a non-canonical address', () => {
    const { mmu } = setup();
    for (const a of [0x800000000000, 0x0000_ffff_ffff_f000, 2 ** 63, 0xffff000000000000, 2 ** 64, -1]) {
      const f = faultOf(() => mmu.translate(a, Access.Read));
      expect([f.vector, f.errorCode, f.cr2]).toEqual([Vector.GP, 0, undefined]);
    }
  });
});

describe('accessed and dirty bits', () => {
  it('sets ACCESSED in every entry a read uses, and no DIRTY', () => {
    const { pt, mmu } = setup();
    pt.map(0xdeadbeaf000, 0xb8000);
    mmu.translate(0xdeadbeaf000, Access.Read);
    for (const level of [4, 3, 2, 1]) expect(formatFlags(pt.lo(0xdeadbeaf000, level), 0)).toBe('PRESENT | WRITABLE | USER_ACCESSIBLE | ACCESSED');
  });

  it('sets DIRTY in the final entry on a write, huge pages included', () => {
    const { pt, mmu } = setup();
    pt.map(0x7000, 0x7000);
    pt.map(0x40000000, 0x400000, { size: '2M' });
    mmu.translate(0x7008, Access.Write);
    mmu.translate(0x40000008, Access.Write);
    expect(pt.lo(0x7000, 1) & (F.ACCESSED | F.DIRTY)).toBe(F.ACCESSED | F.DIRTY);
    expect(pt.lo(0x7000, 2) & (F.ACCESSED | F.DIRTY)).toBe(F.ACCESSED);
    expect(pt.lo(0x40000000, 2) & (F.ACCESSED | F.DIRTY)).toBe(F.ACCESSED | F.DIRTY);
  });

  it('leaves the tables untouched when the access faults', () => {
    const { pt, mmu } = setup();
    pt.map(0x7000, 0x7000, { flags: F.PRESENT });
    faultOf(() => mmu.translate(0x7000, Access.Write));
    for (const level of [4, 3, 2, 1]) expect(pt.lo(0x7000, level) & (F.ACCESSED | F.DIRTY)).toBe(0);
  });

  it('sets DIRTY on the first write to a page the TLB cached from a read', () => {
    const { pt, mmu } = setup();
    pt.map(0x7000, 0x7000);
    mmu.translate(0x7000, Access.Read);
    expect(pt.lo(0x7000, 1) & F.DIRTY).toBe(0);
    mmu.translate(0x7000, Access.Write);
    expect(pt.lo(0x7000, 1) & F.DIRTY).toBe(F.DIRTY);
    mmu.translate(0x7004, Access.Write);
    expect(mmu.stats).toEqual({ hits: 1, misses: 1, walks: 2 });
  });
});

describe('the TLB', () => {
  it('answers repeated accesses to a page without walking', () => {
    const { pt, mmu } = setup();
    pt.map(0x7000, 0x7000);
    for (let i = 0; i < 10; i++) mmu.translate(0x7000 + i * 8, Access.Read);
    expect(mmu.stats).toEqual({ hits: 9, misses: 1, walks: 1 });
  });

  it('keeps a stale mapping after the kernel re-points an entry, until invlpg', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0xa000);
    expect(mmu.translate(0x5010, Access.Write)).toBe(0xa010);
    pt.retarget(0x5000, 0xb000);
    expect(mmu.translate(0x5010, Access.Write)).toBe(0xa010);
    mmu.invlpg(0x5fff);
    expect(mmu.translate(0x5010, Access.Write)).toBe(0xb010);
  });

  it('keeps a stale mapping after the kernel unmaps a page, until a CR3 write flushes it', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0xa000);
    mmu.translate(0x5000, Access.Read);
    pt.edit(0x5000, 1, 0, F.PRESENT);
    expect(mmu.translate(0x5000, Access.Read)).toBe(0xa000);
    mmu.flush();
    expectPageFault(() => mmu.translate(0x5000, Access.Read), 0, 0x5000);
  });

  it('drops only the page invlpg names', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0xa000);
    pt.map(0x6000, 0xc000);
    mmu.translate(0x5000, Access.Read);
    mmu.translate(0x6000, Access.Read);
    pt.retarget(0x5000, 0xb000);
    pt.retarget(0x6000, 0xd000);
    mmu.invlpg(0x5000);
    expect(mmu.translate(0x5000, Access.Read)).toBe(0xb000);
    expect(mmu.translate(0x6000, Access.Read)).toBe(0xc000);
  });

  it('drops every cached piece of a 2 MiB page on invlpg of any address inside it', () => {
    const { pt, mmu } = setup();
    pt.map(0x40000000, 0x400000, { size: '2M' });
    pt.map(0x40200000, 0x800000, { size: '2M' });
    for (const off of [0, 0x1000, 0x1ff000]) mmu.translate(0x40000000 + off, Access.Read);
    mmu.translate(0x40200000, Access.Read);
    pt.edit(0x40000000, 2, 0, F.PRESENT);
    pt.edit(0x40200000, 2, 0, F.PRESENT);
    mmu.invlpg(0x40123456);
    for (const off of [0, 0x1000, 0x1ff000]) expectPageFault(() => mmu.translate(0x40000000 + off, Access.Read), 0, 0x40000000 + off);
    expect(mmu.translate(0x40200000, Access.Read)).toBe(0x800000); // the neighbouring huge page stays cached
  });

  it('still enforces permissions on a hit: CPL, CR0.WP and EFER.NXE are read on every access', () => {
    const { pt, regs, mmu } = setup();
    pt.map(0x5000, 0xa000, { flags: F.PRESENT, nx: true });
    mmu.translate(0x5000, Access.Read);
    expectPageFault(() => mmu.translate(0x5000, Access.Write), PF_PRESENT | PF_WRITE, 0x5000);
    mmu.translate(0x5000, Access.Read);
    regs.cpl = 3;
    expectPageFault(() => mmu.translate(0x5000, Access.Read), PF_PRESENT | PF_USER, 0x5000);
    regs.cpl = 0;
    mmu.translate(0x5000, Access.Read);
    expectPageFault(() => mmu.translate(0x5000, Access.Fetch), PF_PRESENT | PF_FETCH, 0x5000);
    regs.cr0 = (regs.cr0 & ~CR0_WP) >>> 0;
    expect(mmu.translate(0x5000, Access.Write)).toBe(0xa000);
  });

  it('forgets a page on its page fault, so a handler that fixes the entry and returns succeeds', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0xa000, { flags: F.PRESENT });
    mmu.translate(0x5000, Access.Read);
    pt.edit(0x5000, 1, F.WRITABLE);
    expectPageFault(() => mmu.translate(0x5000, Access.Write), PF_PRESENT | PF_WRITE, 0x5000); // stale read-only entry
    expect(mmu.translate(0x5000, Access.Write)).toBe(0xa000);
  });

  it('ignores invlpg of a non-canonical address and evicts on set conflicts (a TLB may forget)', () => {
    const pt = PageTables.create();
    const mmu = new Mmu(pt.mem, kernelRegs(pt.cr3), 16);
    pt.map(0x5000, 0xa000);
    pt.map(0x15000, 0xb000); // same set of a 16-set TLB
    mmu.translate(0x5000, Access.Read);
    expect(() => mmu.invlpg(0x800000000000)).not.toThrow();
    mmu.translate(0x15000, Access.Read);
    expect(mmu.tlb.size()).toBe(1);
    mmu.translate(0x5000, Access.Read);
    expect(mmu.stats.walks).toBe(3);
  });

  it('answers runs of reads, writes and fetches on different pages from each kind\'s last translation, upper half included', () => {
    const { pt, mmu } = setup();
    pt.map(0x5000, 0xa000);
    pt.map(0x6000, 0xc000);
    pt.map(0xffff800000001000, 0xd000);
    const upper = 0xffff800000001000;
    for (let i = 0; i < 4; i++) {
      expect(mmu.translate(0x5000 + 8 * i, Access.Read)).toBe(0xa000 + 8 * i);
      expect(mmu.translate(0x6ff0 - 8 * i, Access.Write)).toBe(0xcff0 - 8 * i);
      expect(mmu.translate(upper + 0x800 * (i % 2), Access.Fetch)).toBe(0xd000 + 0x800 * (i % 2)); // doubles there step by 2 KiB
    }
    expect(mmu.stats).toEqual({ hits: 9, misses: 3, walks: 3 });
  });

  it('forgets a last translation with the TLB entry it mirrors (a set conflict evicts both)', () => {
    const pt = PageTables.create();
    const mmu = new Mmu(pt.mem, kernelRegs(pt.cr3), 16);
    pt.map(0x5000, 0xa000);
    pt.map(0x15000, 0xb000); // same set of a 16-set TLB
    expect(mmu.translate(0x5000, Access.Read)).toBe(0xa000);
    expect(mmu.translate(0x15000, Access.Write)).toBe(0xb000);
    pt.retarget(0x5000, 0xc000);
    expect(mmu.translate(0x5008, Access.Read)).toBe(0xc008); // walked again: the new entry
  });

  it('uses hot-path literals that match the named constants', () => {
    expect([CR0_PG, CR0_WP, EFER_NXE, CR4_PAE, LOWER_HALF_END]).toEqual([0x80000000, 0x10000, 0x800, 0x20, 0x800000000000]);
    expect([Access.Read, Access.Write, Access.Fetch]).toEqual([0, 1, 2]);
    expect([T_WRITABLE, T_USER, T_NX, T_DIRTY]).toEqual([1, 2, 4, 8]);
  });
});

describe('page-table entries', () => {
  it('print their flags as the x86_64 crate does', () => {
    expect(formatFlags(F.PRESENT | F.WRITABLE | F.ACCESSED, 0)).toBe('PRESENT | WRITABLE | ACCESSED');
    expect(formatFlags(PWU, 0x80000000)).toBe('PRESENT | WRITABLE | USER_ACCESSIBLE | NO_EXECUTE');
  });
});
