// gdt (post 06): a GDT with the kernel code segment and a TSS whose IST1 is a 20 KiB stack for
// the double-fault handler, so a kernel stack overflow can still be handled. The userspace kernel
// adds the segments SYSCALL/SYSRET need in the order STAR fixes (kernel code, kernel data, user
// data, user code); kernel/userspace/ sets TSS.RSP0, the stack an interrupt from ring 3 switches to.
import { fn, loadCs, ltr } from '../cpu/isa.js';
import { features } from './features.js';
import { Lazy } from './lazy_static.js';
import { staticAlloc } from './statics.js';
import { Descriptor, GlobalDescriptorTable, SegmentSelector } from './x86_64/gdt.js';
import { TaskStateSegment, TSS_BYTES } from './x86_64/tss.js';

/** The crate's index 0: the hardware's IST1. */
export const DOUBLE_FAULT_IST_INDEX = 0;
const STACK_SIZE = 4096 * 5;
/** `static mut STACK: [u8; STACK_SIZE]` — byte alignment only; the CPU aligns RSP to 16. */
const DOUBLE_FAULT_STACK = staticAlloc('blog_os::gdt::TSS::STACK', STACK_SIZE, 1);
const TSS_AT = staticAlloc('blog_os::gdt::TSS', TSS_BYTES, 8);
const GDT_AT = staticAlloc('blog_os::gdt::GDT', 8 * 8, 8);

export const TSS = new Lazy(() => {
  const tss = new TaskStateSegment(TSS_AT).reset();
  tss.set_interrupt_stack(DOUBLE_FAULT_IST_INDEX, DOUBLE_FAULT_STACK + STACK_SIZE);
  return tss;
});

interface Selectors {
  code_selector: SegmentSelector;
  tss_selector: SegmentSelector;
  /** Userspace kernel only. */
  data_selector?: SegmentSelector;
  user_data_selector?: SegmentSelector;
  user_code_selector?: SegmentSelector;
}

/**
 * The GDT's handle on a host thread that did not build it (a guest thread's, cpu/threads.ts):
 * the selectors init gave, from the fixed layout, without writing the table. Only init loads it.
 */
function gdt_view(): { gdt: GlobalDescriptorTable; selectors: Selectors } {
  const gdt = new GlobalDescriptorTable(GDT_AT);
  const code_selector = SegmentSelector.new(1, 0);
  if (!features().userspace) return { gdt, selectors: { code_selector, tss_selector: SegmentSelector.new(2, 0) } };
  return {
    gdt,
    selectors: {
      code_selector, data_selector: SegmentSelector.new(2, 0), user_data_selector: SegmentSelector.new(3, 3),
      user_code_selector: SegmentSelector.new(4, 3), tss_selector: SegmentSelector.new(5, 0),
    },
  };
}

export const GDT = new Lazy(() => {
  const gdt = new GlobalDescriptorTable(GDT_AT).reset();
  const code_selector = gdt.append(Descriptor.kernel_code_segment());
  if (!features().userspace) {
    const tss_selector = gdt.append(Descriptor.tss_segment(TSS.get().addr));
    return { gdt, selectors: { code_selector, tss_selector } as Selectors };
  }
  const data_selector = gdt.append(Descriptor.kernel_data_segment()); // 0x10: STAR[47:32] + 8
  const user_data_selector = gdt.append(Descriptor.user_data_segment()); // 0x1b: STAR[63:48] + 8, RPL 3
  const user_code_selector = gdt.append(Descriptor.user_code_segment()); // 0x23: STAR[63:48] + 16, RPL 3
  const tss_selector = gdt.append(Descriptor.tss_segment(TSS.get().addr));
  return { gdt, selectors: { code_selector, tss_selector, data_selector, user_data_selector, user_code_selector } as Selectors };
}, 'blog_os::gdt::GDT::LAZY', gdt_view);

/** Load the GDT, reload CS, load the TSS. */
export const init = fn('blog_os::gdt::init', () => {
  const { gdt, selectors } = GDT.get();
  gdt.load();
  loadCs(selectors.code_selector.value);
  ltr(selectors.tss_selector.value);
});

/** Where the double-fault stack is (for tests and the IST demo). */
export const DOUBLE_FAULT_STACK_RANGE = { start: DOUBLE_FAULT_STACK, end: DOUBLE_FAULT_STACK + STACK_SIZE };
