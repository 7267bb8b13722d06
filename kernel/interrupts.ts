// interrupts: the IDT and its handlers, as the blog builds them post by post (05 breakpoint,
// 06 double fault on IST1, 07 timer and keyboard through the chained PICs; 12 moves keyboard
// decoding out of the ISR into a task), with the blog's mistakes available as scenarios. The
// userspace kernel adds a #GP handler, and a fault taken in ring 3 ends only that program.
import { fn, hlt, inb, interruptHandler } from '../cpu/isa.js';
import { features, scenario } from './features.js';
import { DOUBLE_FAULT_IST_INDEX } from './gdt.js';
import { Lazy } from './lazy_static.js';
import { panic } from './panic.js';
import { decodedKeyText, HandleControl, Keyboard, ScancodeSet1, Us104Key } from './pc_keyboard/keyboard.js';
import { ChainedPics } from './pic8259.js';
import { staticAlloc } from './statics.js';
import { Mutex } from './sync/spin.js';
import { add_scancode } from './task/keyboard.js';
import { print, println } from './vga_buffer.js';
import { InterruptStackFrame } from './x86_64/frame.js';
import { IDT_BYTES, InterruptDescriptorTable } from './x86_64/idt.js';
import { Cr2, PageFaultErrorCode, resultDebug } from './x86_64/registers.js';

export const PIC_1_OFFSET = 32;
export const PIC_2_OFFSET = PIC_1_OFFSET + 8;

export const InterruptIndex = { Timer: PIC_1_OFFSET, Keyboard: PIC_1_OFFSET + 1 } as const;

/** `pub static PICS: spin::Mutex<ChainedPics>` — a const static, no lazy init. */
export const PICS = new Mutex(new ChainedPics(PIC_1_OFFSET, PIC_2_OFFSET));

const IDT_AT = staticAlloc('blog_os::interrupts::IDT', IDT_BYTES, 16);

const breakpoint_handler = interruptHandler('blog_os::interrupts::breakpoint_handler', (frame) => {
  println(`EXCEPTION: BREAKPOINT\n${new InterruptStackFrame(frame).debugPretty()}`);
});

const double_fault_handler = interruptHandler('blog_os::interrupts::double_fault_handler', (frame) => {
  panic(`EXCEPTION: DOUBLE FAULT\n${new InterruptStackFrame(frame).debugPretty()}`, 'src/interrupts.rs:49:5');
});

const timer_interrupt_handler = interruptHandler('blog_os::interrupts::timer_interrupt_handler', () => {
  print('.');
  if (!scenario('missing-eoi')) PICS.with((pics) => pics.notify_end_of_interrupt(InterruptIndex.Timer));
});

/** `lazy_static! { static ref KEYBOARD: Mutex<Keyboard<layouts::Us104Key, ScancodeSet1>> }` (posts 07–11). */
const KEYBOARD = new Lazy(() => new Mutex(new Keyboard(new ScancodeSet1(), Us104Key, HandleControl.Ignore, 'blog_os::interrupts::KEYBOARD::data'), 'blog_os::interrupts::KEYBOARD::lock'));

/**
 * The keyboard handler. Posts 07–11 decode in the ISR: read the byte from port 0x60 (the
 * controller raises no further IRQ1 until it is read), feed it to the decoder and print the key —
 * a character, or a KeyCode's Debug name such as "LShift". From post 12 the ISR only queues the
 * byte for the print_keypresses task (task::keyboard::add_scancode). Then EOI.
 */
const keyboard_interrupt_handler = interruptHandler('blog_os::interrupts::keyboard_interrupt_handler', () => {
  if (features().post >= 12) {
    add_scancode(inb(0x60));
  } else {
    KEYBOARD.get().with((keyboard) => {
      const scancode = inb(0x60);
      const event = keyboard.add_byte(scancode);
      if (event.ok && event.value !== undefined) {
        const key = keyboard.process_keyevent(event.value);
        if (key !== undefined) print(decodedKeyText(key));
      }
    });
  }
  PICS.with((pics) => pics.notify_end_of_interrupt(InterruptIndex.Keyboard));
});

/**
 * Post 08's page-fault handler: CR2 (a Result in x86_64 0.15: `Ok(VirtAddr(..))`), the error code
 * as bitflags, the frame, then hlt_loop — returning would only retry the faulting access.
 */
const page_fault_handler = interruptHandler('blog_os::interrupts::page_fault_handler', (frame, errorCode) => {
  println('EXCEPTION: PAGE FAULT');
  println(`Accessed Address: ${resultDebug(Cr2.read())}`);
  println(`Error Code: ${new PageFaultErrorCode(errorCode).debug()}`);
  end_user_program_on_fault(frame, 'PAGE FAULT');
  println(new InterruptStackFrame(frame).debugPretty());
  for (;;) hlt(); // hlt_loop() (lib.rs; not imported here: lib imports this module)
});

/**
 * The userspace kernel's action for a fault taken in ring 3 (kernel/userspace/ installs it at boot):
 * end the running program. Code configuration, like the set of handlers the entry installs.
 */
let user_fault_action: ((what: string) => never) | undefined;

export function set_user_fault_action(action: ((what: string) => never) | undefined): void {
  user_fault_action = action;
}

/** A fault whose frame shows CS with RPL 3 came from a user program: end it (never returns). */
function end_user_program_on_fault(frame: number, what: string): void {
  const f = new InterruptStackFrame(frame);
  if ((f.code_segment & 3) !== 3 || !user_fault_action) return;
  println(`in ring 3 at 0x${f.instruction_pointer.toString(16)}, user stack 0x${f.stack_pointer.toString(16)}`);
  user_fault_action(what);
}

/** #GP: a ring-3 program is ended; in the kernel it is a bug, so panic. */
const general_protection_fault_handler = interruptHandler('blog_os::interrupts::general_protection_fault_handler', (frame, errorCode) => {
  println('EXCEPTION: GENERAL PROTECTION FAULT');
  println(`Error Code: 0x${errorCode.toString(16)}`);
  end_user_program_on_fault(frame, 'GENERAL PROTECTION FAULT');
  panic(`EXCEPTION: GENERAL PROTECTION FAULT\n${new InterruptStackFrame(frame).debugPretty()}`, 'src/interrupts.rs:70:5');
});

export const IDT = new Lazy(() => {
  const { post } = features();
  const idt = new InterruptDescriptorTable(IDT_AT).reset();
  idt.set_handler_fn(3, breakpoint_handler);
  if (post >= 6 && !scenario('no-double-fault-handler')) {
    const entry = idt.set_handler_fn(8, double_fault_handler);
    if (!scenario('stack-overflow-without-ist')) entry.set_stack_index(DOUBLE_FAULT_IST_INDEX);
  }
  if (post >= 8) idt.set_handler_fn(14, page_fault_handler);
  if (features().userspace) idt.set_handler_fn(13, general_protection_fault_handler);
  if (post >= 7 && !features().apic) {
    if (!scenario('no-timer-handler')) idt.set_handler_fn(InterruptIndex.Timer, timer_interrupt_handler);
    idt.set_handler_fn(InterruptIndex.Keyboard, keyboard_interrupt_handler);
  }
  return idt;
});

export const init_idt = fn('blog_os::interrupts::init_idt', () => {
  IDT.get().load();
});
