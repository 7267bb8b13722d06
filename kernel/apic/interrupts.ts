// The interrupt handlers of a kernel on the APICs (kernel.main: preemption). They end an
// interrupt with a write to the local APIC's EOI register instead of an OCW2 to the 8259, and the
// timer's handler is the scheduler's clock: it counts the tick, wakes sleepers, sends EOI and
// preempts the running thread. EOI comes before the switch: the switch returns only when this
// thread runs again, and until the EOI the in-service timer vector blocks its whole priority
// class (0x20-0x2F: the next tick and the keyboard's 0x21 too; SDM vol. 3A §11.8.3).
import { inb, interruptHandler } from '../../cpu/isa.js';
import { scenario } from '../features.js';
import { IDT } from '../interrupts.js';
import { add_scancode } from '../task/keyboard.js';
import * as scheduler from '../thread/scheduler.js';
import { APIC_TIMER_VECTOR, KEYBOARD_VECTOR, SPURIOUS_VECTOR } from './mod.js';
import { local_apic } from './local_apic.js';

const apic_timer_interrupt_handler = interruptHandler('actorpc_kernel::apic::timer_interrupt_handler', () => {
  scheduler.tick();
  // kernel.scenario missing-apic-eoi: the blog's post-07 mistake, on the APIC.
  if (!scenario('missing-apic-eoi')) local_apic().end_of_interrupt();
  scheduler.schedule();
});

/** Post 12's keyboard handler: queue the byte for the print_keypresses task; EOI to the local APIC. */
const apic_keyboard_interrupt_handler = interruptHandler('actorpc_kernel::apic::keyboard_interrupt_handler', () => {
  add_scancode(inb(0x60));
  local_apic().end_of_interrupt();
});

/**
 * The spurious vector (SVR): the APIC answers an INTA with it when the interrupt it signalled went
 * away in the meantime (e.g. raised TPR). Nothing was put in service, so no EOI (SDM §11.9).
 */
const spurious_interrupt_handler = interruptHandler('actorpc_kernel::apic::spurious_interrupt_handler', () => {});

/** Point vectors 0x20, 0x21 and 0xFF of the loaded IDT at these handlers. */
export function install_apic_handlers(): void {
  const idt = IDT.get();
  idt.set_handler_fn(APIC_TIMER_VECTOR, apic_timer_interrupt_handler);
  idt.set_handler_fn(KEYBOARD_VECTOR, apic_keyboard_interrupt_handler);
  idt.set_handler_fn(SPURIOUS_VECTOR, spurious_interrupt_handler);
}
