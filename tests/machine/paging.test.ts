// Posts 08 and 09 booted as whole machines in virtual time: the page-fault handler's report, the
// "New!" written through a page mapped onto the VGA frame, and the BootInfo the bootloader left in
// RAM (read from the machine's physical memory after the run).
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { loadMachine } from '../../machine/config/load.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { Machine, type MachineResult } from '../../machine/machine.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import type { Frame } from '../../devices/vga/frame.js';
import { configPath, virtual } from '../support/machine.js';

const SECOND = 1e9;
const LAYOUT = { bootInfo: 0x7100, l4: 0x1000, offset: 0x18000000000 } as const;
const TYPES = ['Usable', 'InUse', 'Reserved', 'AcpiReclaimable', 'AcpiNvs', 'BadMemory', 'Kernel', 'KernelStack', 'PageTable', 'Bootloader', 'FrameZero', 'Empty', 'BootInfo', 'Package'];

interface Run {
  result: MachineResult;
  screen: ScreenModel;
  traces: TraceRecord[];
  memory: PhysicalMemory;
}

/** Boot a post's machine headless in virtual time and keep its RAM for inspection. */
async function boot(post: string, stopAt?: number): Promise<Run> {
  let spec: MachineSpec = virtual(await loadMachine(configPath(`posts/${post}.yaml`)));
  spec = { ...spec, devices: spec.devices.map((d) => ({ ...d, adapter: d.adapter ? 'headless' : undefined })) };
  const m = await Machine.start(spec, { trace: true, ...(stopAt ? { stopAt, stopReason: 'for' as const } : {}) });
  const screen = new ScreenModel();
  const traces: TraceRecord[] = [];
  m.trace$.subscribe((r) => traces.push(r));
  m.events$.subscribe((e) => { if (e.channel === 'frame') screen.apply(e.payload as Frame); });
  m.idleForever$.subscribe(() => m.stop());
  const result = await m.result!;
  return { result, screen, traces, memory: new PhysicalMemory(m.memory) };
}

interface Region { start: number; end: number; type: string }

function memoryMap(mem: PhysicalMemory): Region[] {
  const n = Number(mem.read64(LAYOUT.bootInfo + 64 * 24));
  return Array.from({ length: n }, (_, i) => {
    const at = LAYOUT.bootInfo + 24 * i;
    return { start: Number(mem.read64(at)) * 4096, end: Number(mem.read64(at + 8)) * 4096, type: TYPES[mem.read32(at + 16)] };
  });
}

/** Every table frame reachable from the L4 table, and the 4 KiB leaf frames outside the first MiB. */
function walk(mem: PhysicalMemory): { tables: Set<number>; leaves: Set<number> } {
  const tables = new Set<number>([LAYOUT.l4]);
  const leaves = new Set<number>();
  const visit = (table: number, level: number, base: number) => {
    for (let i = 0; i < 512; i++) {
      const e = mem.read64(table + 8 * i);
      if ((e & 1n) === 0n || (level === 2 && (e & 0x80n) !== 0n)) continue;
      const addr = Number(e & 0x000ffffffffff000n);
      const virt = base + i * 2 ** (12 + 9 * (level - 1));
      if (level === 1) {
        if (virt >= 0x100000) leaves.add(addr);
        continue;
      }
      tables.add(addr);
      visit(addr, level - 1, virt);
    }
  };
  visit(LAYOUT.l4, 4, 0);
  return { tables, leaves };
}

const typeOf = (map: Region[], addr: number) => map.find((r) => addr >= r.start && addr < r.end)?.type;

describe('post 08: introduction to paging', () => {
  it('prints the level-4 table from CR3, then the page-fault handler reports the write to 0xdeadbeaf and halts', async () => {
    const run = await boot('post-08', 1 * SECOND);
    const text = run.screen.text();
    expect(text).toContain('Level 4 page table at: PhysAddr(0x1000)\n');
    expect(text).toMatch(
      /Level 4 page table at: PhysAddr\(0x1000\)\n\.*EXCEPTION: PAGE FAULT\nAccessed Address: Ok\(VirtAddr\(0xdeadbeaf\)\)\nError Code: PageFaultErrorCode\(CAUSED_BY_WRITE\)\nInterruptStackFrame \{\n {4}instruction_pointer: VirtAddr\(\n {8}0x2[0-9a-f]+,\n {4}\),/,
    );
    expect(text).toMatch(/stack_pointer: VirtAddr\(\n {8}0x100002[0-9a-f]{5},\n/);
    expect(text).not.toContain('It did not crash!');
    const pf = run.traces.filter((r) => r.kind === 'cpu.exception' && r.vector === 14);
    expect(pf).toHaveLength(1);
    expect(pf[0]).toMatchObject({ cr2: 0xdeadbeaf, error_code: 2 });
    expect(run.traces.find((r) => r.kind === 'cpu.int' && r.vector === 14)?.handler).toBe('blog_os::interrupts::page_fault_handler');
    // The handler runs with IF=0 (an interrupt gate) and ends in hlt_loop: the machine idles for good.
    expect(run.traces.filter((r) => r.kind === 'cpu.idle')).toHaveLength(1);
  });

  it('leaves a BootInfo whose Usable regions exclude every frame the loader used', async () => {
    const run = await boot('post-08', 0.5 * SECOND);
    const map = memoryMap(run.memory);
    expect(Number(run.memory.read64(LAYOUT.bootInfo + 64 * 24 + 8))).toBe(LAYOUT.offset);
    // Sorted, without gaps, over all 128 MiB.
    expect(map[0]).toEqual({ start: 0, end: 0x1000, type: 'FrameZero' });
    map.forEach((r, i) => expect(r.start).toBe(i === 0 ? 0 : map[i - 1].end));
    expect(map[map.length - 1].end).toBe(128 << 20);
    const { tables, leaves } = walk(run.memory);
    expect(tables.size).toBe(11);
    for (const t of tables) expect(typeOf(map, t)).toBe('PageTable');
    for (const f of leaves) expect(['Kernel', 'KernelStack']).toContain(typeOf(map, f));
    expect(typeOf(map, LAYOUT.bootInfo)).toBe('BootInfo');
    expect(typeOf(map, 0xb8000)).toBe('Reserved');
    const usable = map.filter((r) => r.type === 'Usable').reduce((n, r) => n + (r.end - r.start) / 4096, 0);
    expect(usable).toBe(32768 - 1 - 1 - 14 - 10 - 96 - 512 - 512);
  });
});

describe('post 09: paging implementation', () => {
  it('maps page 0xdeadbeaf000 to the VGA frame through three new tables and "New!" appears', async () => {
    const run = await boot('post-09', 0.5 * SECOND);
    const text = run.screen.text();
    expect(text).toMatch(/Hello World!\n\.*It did not crash!\n/);
    expect(run.traces.filter((r) => r.kind === 'cpu.exception')).toHaveLength(0);
    // Written at cell 1600 (row 20, column 0); "It did not crash!" has since scrolled it up a row.
    const rows = text.split('\n');
    expect(rows[19].slice(0, 4)).toBe('New!');
    const cell = run.memory.read16(0xb8000 + 2 * (19 * 80));
    expect(cell).toBe(0xf04e); // 'N', black on white
    // The tables came from the first Usable frames of the map: L4[27] → L3 → L2 → L1[175] → 0xb8000.
    const map = memoryMap(run.memory);
    const firstUsable = map.find((r) => r.type === 'Usable')!.start;
    const entry = (table: number, i: number) => run.memory.read64(table + 8 * i);
    const l3 = Number(entry(LAYOUT.l4, 27) & 0xffffffffff000n);
    const l2 = Number(entry(l3, 427) & 0xffffffffff000n);
    const l1 = Number(entry(l2, 223) & 0xffffffffff000n);
    expect([l3, l2, l1]).toEqual([firstUsable, firstUsable + 0x1000, firstUsable + 0x2000]);
    expect(entry(l1, 175) & 0xffffffffff003n).toBe(0xb8003n);
    expect(run.traces.some((r) => r.kind === 'cpu.tlb_flush' && r.cause === 'invlpg' && r.addr === 0xdeadbeaf000)).toBe(true);
  });
});
