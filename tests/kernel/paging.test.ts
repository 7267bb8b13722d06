// Posts 08–09 on the CPU in the test's thread: the firmware's bootloader builds its page tables
// and BootInfo with real stores, turns paging on, and the kernel's memory module and the x86_64
// paging types then work on those tables through the MMU.
import { beforeEach, describe, expect, it } from 'vitest';
import { CpuFault, PF_WRITE, Vector } from '../../cpu/faults.js';
import { Access } from '../../cpu/mmu.js';
import { memoryRegions, writeBootInfo } from '../../firmware/bootinfo.js';
import { buildPageTables, enablePaging } from '../../firmware/bootloader.js';
import { Layout, STACK_TOP } from '../../firmware/layout.js';
import * as memory from '../../kernel/memory.js';
import { BootInfoFrameAllocator, EmptyFrameAllocator } from '../../kernel/memory.js';
import { optionDebug, PhysAddr, VirtAddr } from '../../kernel/x86_64/addr.js';
import { BootInfo, BootInfoLayout, MemoryMap, MemoryRegionType as T, type MemoryRegion } from '../../kernel/x86_64/bootinfo.js';
import { flagsDebug, MapToError, Page, PageTableFlags as F, PhysFrame, UnmapError, type FrameAllocator, type OffsetPageTable } from '../../kernel/x86_64/paging.js';
import { Cr3, PageFaultErrorCode } from '../../kernel/x86_64/registers.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const MEMORY = 16 << 20;
const OFFSET = VirtAddr.new(Layout.physicalMemoryOffset);
let rig: GuestRig;
let bootInfo: BootInfo;

/** Power-on to the kernel's first instruction, minus the BIOS: tables, BootInfo, paging on. */
function boot(): void {
  rig = guestRig(MEMORY);
  rig.cpu.rsp = Layout.biosStack;
  const loaded = buildPageTables(MEMORY);
  writeBootInfo(MEMORY, loaded.tableFrames);
  enablePaging();
  rig.cpu.rsp = STACK_TOP;
  throwOnPanic();
  bootInfo = new BootInfo(Layout.bootInfo);
}

/** Wraps an allocator and remembers what it handed out. */
function counting(inner: FrameAllocator): FrameAllocator & { taken: PhysFrame[] } {
  const taken: PhysFrame[] = [];
  return { taken, allocate_frame: () => { const f = inner.allocate_frame(); if (f) taken.push(f); return f; } };
}

const regions = (map: MemoryMap): MemoryRegion[] => [...map.iter()];
const typeAt = (map: MemoryMap, addr: number) => regions(map).find((r) => addr >= r.range.start_addr() && addr < r.range.end_addr())?.region_type;
const page = (addr: number) => Page.containing_address(VirtAddr.new(addr));
const vga = PhysFrame.containing_address(PhysAddr.new(0xb8000));

beforeEach(boot);

describe('BootInfo as the bootloader writes it', () => {
  it('holds the memory map, sorted and covering all RAM, and physical_memory_offset', () => {
    const map = bootInfo.memory_map;
    const want: Array<[number, number, T]> = [
      [0x0, 0x1, T.FrameZero], [0x1, 0x2, T.PageTable], [0x2, 0x7, T.Bootloader], [0x7, 0x8, T.BootInfo],
      [0x8, 0x10, T.Bootloader], [0x10, 0x1a, T.PageTable], [0x1a, 0xa0, T.Usable], [0xa0, 0x100, T.Reserved],
      [0x100, 0x400, T.Usable], [0x400, 0x600, T.Kernel], [0x600, 0x800, T.KernelStack], [0x800, 0x1000, T.Usable],
    ];
    expect(regions(map).map((r) => [r.range.start_frame_number, r.range.end_frame_number, r.region_type])).toEqual(want);
    expect(map.length).toBe(want.length);
    expect(bootInfo.physical_memory_offset).toBe(0x18000000000);
    // Entries past next_entry_index are MemoryRegion::empty().
    expect(map.entry(want.length)).toMatchObject({ range: { start_frame_number: 0, end_frame_number: 0 }, region_type: T.Empty });
    expect(map.entry(63).region_type).toBe(T.Empty);
    expect(BootInfoLayout.size).toBe(1584);
  });

  it('marks every frame the page tables occupy as PageTable (walked from CR3)', () => {
    const tables = new Set<number>([Layout.l4Table]);
    const walk = (table: number, level: number) => {
      for (let i = 0; i < 512; i++) {
        const e = rig.memory.read64(table + 8 * i);
        if ((e & 1n) === 0n || (level < 4 && (e & 0x80n) !== 0n) || level === 1) continue;
        const next = Number(e & 0x000ffffffffff000n);
        tables.add(next);
        walk(next, level - 1);
      }
    };
    walk(Layout.l4Table, 4);
    expect(tables.size).toBe(11);
    for (const t of tables) expect(typeAt(bootInfo.memory_map, t)).toBe(T.PageTable);
  });

  it('grows the map with memory: 128 MiB is Usable above the stack up to its end', () => {
    const r = memoryRegions(128 << 20, { l4: 0x1000, start: 0x10000, end: 0x1a000 });
    expect(r[r.length - 1]).toEqual({ start: 0x800, end: 0x8000, type: T.Usable });
  });
});

describe('post 08: the active level-4 table', () => {
  it('Cr3::read gives the frame at PhysAddr(0x1000); PageFaultErrorCode prints as bitflags', () => {
    expect(Cr3.read()[0].start_address().debug()).toBe('PhysAddr(0x1000)');
    expect(new PageFaultErrorCode(PF_WRITE).debug()).toBe('PageFaultErrorCode(CAUSED_BY_WRITE)');
    expect(new PageFaultErrorCode(3).debug()).toBe('PageFaultErrorCode(PROTECTION_VIOLATION | CAUSED_BY_WRITE)');
    expect(new PageFaultErrorCode(0).debug()).toBe('PageFaultErrorCode(0x0)');
    expect(new PageFaultErrorCode(0x10002).debug()).toBe('PageFaultErrorCode(CAUSED_BY_WRITE | 0x10000)');
  });

  it('the L4 entries in use print as the crate Debugs them', () => {
    const l4 = memory.active_level_4_table(OFFSET);
    const used = [...l4.entries()].filter(([, e]) => !e.is_unused()).map(([i, e]) => `L4 Entry ${i}: ${e.debug()}`);
    expect(used).toHaveLength(3);
    expect(used[0]).toMatch(/^L4 Entry 0: PageTableEntry \{ addr: PhysAddr\(0x10000\), flags: PageTableFlags\(PRESENT \| WRITABLE( \| ACCESSED)?\) \}$/);
    expect(used.map((s) => s.slice(0, 10))).toEqual(['L4 Entry 0', 'L4 Entry 2', 'L4 Entry 3']);
    expect(flagsDebug(0n)).toBe('PageTableFlags(0x0)');
    expect(flagsDebug(F.PRESENT | F.NO_EXECUTE)).toBe('PageTableFlags(PRESENT | NO_EXECUTE)');
  });
});

describe('post 09: translation', () => {
  const cases: Array<[number, number | undefined]> = [
    [0xb8000, 0xb8000], // the identity-mapped VGA buffer
    [0x201008, 0x401008], // a kernel code page
    [STACK_TOP - 0x10, 0x800000 - 0x10], // the top of the kernel stack
    [0x0, undefined], // page 0 is left unmapped
    [Layout.stackGuard + 8, undefined], // the guard page
    [0xdeadbeaf000, undefined],
  ];

  it('the manual translate_addr walks the bootloader tables as the MMU does', () => {
    const lines = cases.map(([v]) => `${VirtAddr.new(v).debug()} -> ${optionDebug(memory.translate_addr(VirtAddr.new(v), OFFSET))}`);
    expect(lines[0]).toBe('VirtAddr(0xb8000) -> Some(PhysAddr(0xb8000))');
    expect(lines[1]).toBe('VirtAddr(0x201008) -> Some(PhysAddr(0x401008))');
    for (const [v, p] of cases) {
      expect(memory.translate_addr(VirtAddr.new(v), OFFSET)?.as_u64()).toBe(p);
      if (p !== undefined) expect(rig.cpu.mmu.translate(v, Access.Read)).toBe(p);
    }
  });

  it('the manual walker panics on the huge pages of the physical-memory mapping; OffsetPageTable does not', () => {
    expect(() => memory.translate_addr(OFFSET, OFFSET)).toThrow(/panicked at src\/memory.rs:\d+:\d+:\nhuge pages not supported/);
    const mapper = memory.init(OFFSET);
    expect(optionDebug(mapper.translate_addr(OFFSET))).toBe('Some(PhysAddr(0x0))');
    const t = mapper.translate(OFFSET.add(0x123456));
    expect(t.kind === 'Mapped' && [t.frame.debug(), t.offset]).toEqual(['PhysFrame[2MiB](0x0)', 0x123456]);
    for (const [v, p] of cases) expect(mapper.translate_addr(VirtAddr.new(v))?.as_u64()).toBe(p);
  });
});

describe('post 09: OffsetPageTable::map_to', () => {
  let mapper: OffsetPageTable;
  beforeEach(() => { mapper = memory.init(OFFSET); });

  it('a page in an empty L4 slot takes three zeroed tables; "New!" lands in VGA row 20', () => {
    const alloc = counting(BootInfoFrameAllocator.init(bootInfo.memory_map));
    for (const a of [0x1a000, 0x1b000, 0x1c000]) rig.memory.bytes.fill(0xff, a, a + 0x1000); // stale data
    memory.create_example_mapping(page(0xdeadbeaf000), mapper, alloc);
    expect(alloc.taken.map((f) => f.debug())).toEqual(['PhysFrame[4KiB](0x1a000)', 'PhysFrame[4KiB](0x1b000)', 'PhysFrame[4KiB](0x1c000)']);
    expect(rig.memory.read64(0x1000 + 27 * 8)).toBe(0x1a000n | 3n); // L4[27] → L3, PRESENT | WRITABLE
    for (const t of [0x1a000, 0x1b000, 0x1c000]) {
      const used = Array.from({ length: 512 }, (_, i) => rig.memory.read64(t + 8 * i)).filter((e) => e !== 0n);
      expect(used).toHaveLength(1);
    }
    rig.cpu.store64(0xdeadbeaf000 + 400 * 8, 0xf021_f077_f065_f04en);
    expect(rig.row(20).slice(0, 4)).toBe('New!');
    expect(rig.cell(20, 0).attr).toBe(0xf0);
    expect(mapper.translate_addr(VirtAddr.new(0xdeadbeaf123))?.debug()).toBe('PhysAddr(0xb8123)');
  });

  it('a neighbour in the same L1 takes no frame, one 2 MiB further takes one; a used entry is PageAlreadyMapped', () => {
    const alloc = counting(BootInfoFrameAllocator.init(bootInfo.memory_map));
    const flags = F.PRESENT | F.WRITABLE;
    expect(mapper.map_to(page(0xdeadbeaf000), vga, flags, alloc).ok).toBe(true);
    expect(alloc.taken).toHaveLength(3);
    expect(mapper.map_to(page(0xdeadbeb0000), vga, flags, alloc).ok).toBe(true);
    expect(alloc.taken).toHaveLength(3);
    expect(mapper.map_to(page(0xdeadbeaf000 + 0x200000), vga, flags, alloc).ok).toBe(true);
    expect(alloc.taken).toHaveLength(4);
    const again = mapper.map_to(page(0xdeadbeaf000), PhysFrame.containing_address(PhysAddr.new(0x5000)), flags, alloc);
    expect(!again.ok && again.error.debug()).toBe('PageAlreadyMapped(PhysFrame[4KiB](0xb8000))');
    const huge = mapper.map_to(page(Layout.physicalMemoryOffset + 0x1000), vga, flags, alloc);
    expect(!huge.ok && huge.error).toBe(MapToError.ParentEntryHugePage);
  });

  it('parent entries get flags ∩ PRESENT|WRITABLE|USER_ACCESSIBLE: set on new tables, ORed into existing ones', () => {
    const alloc = counting(BootInfoFrameAllocator.init(bootInfo.memory_map));
    const l4e = (i: number) => rig.memory.read64(0x1000 + 8 * i);
    mapper.map_to(page(0x5000_0000_0000 - 0x1000), vga, F.PRESENT | F.USER_ACCESSIBLE | F.NO_EXECUTE | F.GLOBAL, alloc);
    expect(l4e(159) & 0xfffn).toBe(F.PRESENT | F.USER_ACCESSIBLE); // no WRITABLE, no NX, no GLOBAL
    expect(l4e(159) >> 63n).toBe(0n);
    // Page 0's L1 exists (the bootloader identity-maps the first MiB): no frame needed, USER added upwards.
    const before = l4e(0) & 0xfffn;
    expect(before & F.USER_ACCESSIBLE).toBe(0n);
    expect(mapper.map_to(page(0), vga, F.PRESENT | F.WRITABLE | F.USER_ACCESSIBLE, new EmptyFrameAllocator()).ok).toBe(true);
    expect(l4e(0) & 0xfffn).toBe(before | F.USER_ACCESSIBLE);
    // A read-only mapping below an existing writable parent leaves the parent writable.
    expect(mapper.map_to(page(0x10040000000), vga, F.PRESENT, alloc).ok).toBe(true);
    expect(l4e(2) & F.WRITABLE).toBe(F.WRITABLE);
  });

  it('EmptyFrameAllocator: FrameAllocationFailed where a table is missing, and the blog panic from create_example_mapping', () => {
    const r = mapper.map_to(page(0xdeadbeaf000), vga, F.PRESENT | F.WRITABLE, new EmptyFrameAllocator());
    expect(!r.ok && r.error.debug()).toBe('FrameAllocationFailed');
    expect(() => memory.create_example_mapping(page(0xdeadbeaf000), mapper, new EmptyFrameAllocator()))
      .toThrow(/panicked at src\/memory.rs:\d+:\d+:\nmap_to failed: FrameAllocationFailed/);
  });

  it('unmap clears the entry, but the CPU keeps the stale translation until MapperFlush::flush (invlpg)', () => {
    const alloc = BootInfoFrameAllocator.init(bootInfo.memory_map);
    const p = page(0xdeadbeaf000);
    expect(mapper.map_to(p, vga, F.PRESENT | F.WRITABLE, alloc).ok).toBe(true);
    rig.cpu.store64(0xdeadbeaf000, 0x1234n); // the TLB now holds the page
    const r = mapper.unmap(p);
    if (!r.ok) return expect.fail(r.error.debug());
    const [frame, flush] = r.value;
    expect(frame.debug()).toBe('PhysFrame[4KiB](0xb8000)');
    expect(mapper.translate(p.start_address()).kind).toBe('NotMapped');
    expect(rig.cpu.mmu.translate(0xdeadbeaf008, Access.Write)).toBe(0xb8008); // stale
    flush.flush();
    let fault: unknown;
    try { rig.cpu.mmu.translate(0xdeadbeaf008, Access.Write); } catch (e) { fault = e; }
    expect(fault).toBeInstanceOf(CpuFault);
    expect(fault).toMatchObject({ vector: Vector.PF, errorCode: PF_WRITE, cr2: 0xdeadbeaf008 });
    const second = mapper.unmap(p);
    expect(!second.ok && second.error).toBe(UnmapError.PageNotMapped);
    const huge = mapper.unmap(page(Layout.physicalMemoryOffset));
    expect(!huge.ok && huge.error).toBe(UnmapError.ParentEntryHugePage);
  });
});

describe('post 09: BootInfoFrameAllocator', () => {
  it('yields exactly the Usable frames of the map, in order, and nothing the loader used', () => {
    const map = bootInfo.memory_map;
    const usable = regions(map).filter((r) => r.region_type === T.Usable);
    const expected = usable.flatMap((r) => Array.from({ length: r.range.end_frame_number - r.range.start_frame_number }, (_, i) => r.range.start_addr() + i * 4096));
    const alloc = BootInfoFrameAllocator.init(map);
    const frames = [...alloc.usable_frames()].map((f) => f.start_address().as_u64());
    expect(frames).toEqual(expected);
    for (const used of [0, 0x1000, 0x7000, 0x10000, 0x19000, 0xa0000, 0xb8000, 0x400000, 0x5ff000, 0x600000, 0x7ff000]) expect(frames).not.toContain(used);
    const first = Array.from({ length: 100 }, () => alloc.allocate_frame()!.start_address().as_u64());
    expect(first).toEqual(expected.slice(0, 100));
  });

  it('allocate_frame is usable_frames().nth(next): None once exhausted, and next keeps counting', () => {
    // A small map of our own: two Usable regions of two frames around an InUse one.
    const at = 0x20000;
    const regionsIn: Array<[number, number, T]> = [[0x30, 0x32, T.Usable], [0x32, 0x33, T.InUse], [0x40, 0x42, T.Usable]];
    regionsIn.forEach(([s, e, t], i) => {
      rig.memory.write64(at + 24 * i, BigInt(s));
      rig.memory.write64(at + 24 * i + 8, BigInt(e));
      rig.memory.write32(at + 24 * i + 16, t);
    });
    rig.memory.write64(at + BootInfoLayout.nextEntryIndex, 3n);
    const alloc = BootInfoFrameAllocator.init(new MemoryMap(at));
    const got = Array.from({ length: 6 }, () => alloc.allocate_frame()?.start_address().as_u64());
    expect(got).toEqual([0x30000, 0x31000, 0x40000, 0x41000, undefined, undefined]);
  });
});
