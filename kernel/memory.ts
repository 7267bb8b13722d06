// memory.rs (posts 08–09): the active level-4 table reached through the bootloader's mapping of
// all physical memory, the post's hand-written translate_addr, the OffsetPageTable mapper, the
// example mapping of a page onto the VGA frame, and two frame allocators: one that never has a
// frame, and one that hands out the Usable frames of the bootloader's memory map.
import { panic } from './panic.js';
import { expect, PhysAddr, VirtAddr } from './x86_64/addr.js';
import { MemoryRegionType, type MemoryMap } from './x86_64/bootinfo.js';
import { Cr3 } from './x86_64/registers.js';
import { OffsetPageTable, Page, PageTable, PageTableFlags, PhysFrame, type FrameAllocator } from './x86_64/paging.js';

/**
 * Initialize a new OffsetPageTable. Unsafe in the blog: all physical memory must be mapped at
 * `physical_memory_offset`, and it must be called only once (two mappers would alias the tables).
 */
export function init(physical_memory_offset: VirtAddr): OffsetPageTable {
  const level_4_table = active_level_4_table(physical_memory_offset);
  return OffsetPageTable.new(level_4_table, physical_memory_offset);
}

/** The active level-4 table: CR3's frame, seen at physical_memory_offset + its address. */
export function active_level_4_table(physical_memory_offset: VirtAddr): PageTable {
  const [level_4_table_frame] = Cr3.read();
  const phys = level_4_table_frame.start_address();
  const virt = physical_memory_offset.add(phys.as_u64());
  return new PageTable(virt.as_u64());
}

/**
 * The post's own translation (before it switches to OffsetPageTable): walk the four levels from
 * CR3, each table read through the physical-memory mapping. Panics on a huge page.
 */
export function translate_addr(addr: VirtAddr, physical_memory_offset: VirtAddr): PhysAddr | undefined {
  return translate_addr_inner(addr, physical_memory_offset);
}

function translate_addr_inner(addr: VirtAddr, physical_memory_offset: VirtAddr): PhysAddr | undefined {
  const [level_4_table_frame] = Cr3.read();
  const table_indexes = [addr.p4_index(), addr.p3_index(), addr.p2_index(), addr.p1_index()];
  let frame = level_4_table_frame;
  for (const index of table_indexes) {
    // convert the frame into a page table reference
    const virt = physical_memory_offset.add(frame.start_address().as_u64());
    const table = new PageTable(virt.as_u64());
    // read the page table entry and update `frame`
    const entry = table.entry(index).frame();
    if (entry.ok) frame = entry.value;
    else if (entry.error === 'FrameNotPresent') return undefined;
    else return panic('huge pages not supported', 'src/memory.rs:48:17');
  }
  return frame.start_address().add(addr.page_offset());
}

/** Map `page` to the VGA text buffer's frame 0xb8000 (the blog's demonstration; unsound on purpose). */
export function create_example_mapping(page: Page, mapper: OffsetPageTable, frame_allocator: FrameAllocator): void {
  const frame = PhysFrame.containing_address(PhysAddr.new(0xb8000));
  const flags = PageTableFlags.PRESENT | PageTableFlags.WRITABLE;
  const map_to_result = mapper.map_to(page, frame, flags, frame_allocator);
  expect(map_to_result, 'map_to failed', 'src/memory.rs:58:3').flush();
}

/** A FrameAllocator that always returns None. */
export class EmptyFrameAllocator implements FrameAllocator {
  allocate_frame(): PhysFrame | undefined {
    return undefined;
  }
}

/** A FrameAllocator that returns usable frames from the bootloader's memory map. */
export class BootInfoFrameAllocator implements FrameAllocator {
  private constructor(private readonly memory_map: MemoryMap, private next: number) {}

  /** Unsafe in the blog: every frame the map calls Usable must really be unused. */
  static init(memory_map: MemoryMap): BootInfoFrameAllocator {
    return new BootInfoFrameAllocator(memory_map, 0);
  }

  /** The usable frames of the memory map, lazily: regions are read as the iteration reaches them. */
  *usable_frames(): Generator<PhysFrame> {
    // get usable regions from memory map
    for (const r of this.memory_map.iter()) {
      if (r.region_type !== MemoryRegionType.Usable) continue;
      // map each region to its address range, step by 4096, and make frames of the addresses
      for (let addr = r.range.start_addr(); addr < r.range.end_addr(); addr += 4096) {
        yield PhysFrame.containing_address(PhysAddr.new(addr));
      }
    }
  }

  /** `self.usable_frames().nth(self.next)`, then next += 1 (also past the end). */
  allocate_frame(): PhysFrame | undefined {
    let frame: PhysFrame | undefined;
    let i = 0;
    for (const f of this.usable_frames()) {
      if (i++ === this.next) {
        frame = f;
        break;
      }
    }
    this.next += 1;
    return frame;
  }
}
