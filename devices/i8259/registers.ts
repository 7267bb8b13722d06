// Bit layouts of the 8259A command words, named as in the Intel 8259A datasheet
// ("Programming the 8259A": ICW1..ICW4, OCW1..OCW3), plus the PIIX/EISA ELCR masks.

/** Region indices, in the order the module declares them. */
export const REGION_IO = 0;
export const REGION_ELCR = 1;

/** Offsets inside the `io` region (A0 pin). */
export const PORT_COMMAND = 0; // A0 = 0: ICW1, OCW2, OCW3 / read IRR, ISR or poll byte
export const PORT_DATA = 1; //    A0 = 1: ICW2..ICW4, OCW1 / read IMR

/** ICW1 (command port, D4 = 1). */
export const ICW1 = {
  IC4: 0x01, // ICW4 follows
  SNGL: 0x02, // single chip: no ICW3, no cascade
  ADI: 0x04, // call address interval (8080/8085 mode only)
  LTIM: 0x08, // level-triggered mode for every input
  INIT: 0x10, // marks the byte as ICW1
  A7_A5: 0xe0, // vector address bits (8080/8085 mode only)
} as const;

/** ICW4 (data port, last word of the init sequence when IC4 was set). */
export const ICW4 = {
  UPM: 0x01, // µPM: 1 = 8086/8088 mode, 0 = 8080/8085 mode
  AEOI: 0x02, // automatic end of interrupt
  MS: 0x04, // master/slave select in buffered mode (drives SP/EN only; not modelled)
  BUF: 0x08, // buffered mode (drives SP/EN only; not modelled)
  SFNM: 0x10, // special fully nested mode
  RESERVED: 0xe0,
} as const;

/** OCW2 (command port, D4 = D3 = 0): R, SL, EOI in D7..D5, L2..L0 in D2..D0. */
export const OCW2 = {
  LEVEL: 0x07,
  COMMAND: 0xe0,
  ROTATE_AEOI_CLEAR: 0x00,
  NON_SPECIFIC_EOI: 0x20,
  NOP: 0x40,
  SPECIFIC_EOI: 0x60,
  ROTATE_AEOI_SET: 0x80,
  ROTATE_NON_SPECIFIC_EOI: 0xa0,
  SET_PRIORITY: 0xc0,
  ROTATE_SPECIFIC_EOI: 0xe0,
} as const;

/** OCW3 (command port, D4 = 0, D3 = 1). */
export const OCW3 = {
  RIS: 0x01, // read ISR (1) or IRR (0) ...
  RR: 0x02, // ... when RR is set
  P: 0x04, // poll command
  MARKER: 0x08, // D3 = 1 marks OCW3
  SMM: 0x20, // special mask mode on (1) / off (0) ...
  ESMM: 0x40, // ... when ESMM is set
  RESERVED: 0x80, // D7 must be 0
} as const;

export type PicRole = 'master' | 'slave';

/**
 * ELCR bits the guest may set (QEMU's elcr_mask): on the master IRQ0-2 (timer, keyboard,
 * cascade) are always edge-triggered; on the slave IRQ8 (RTC) and IRQ13 (FPU) are.
 */
export function elcrWriteMask(role: PicRole): number {
  return role === 'master' ? 0xf8 : 0xde;
}

/** Poll word: I (D7) set when an interrupt is being reported, W2..W0 = the IR. */
export const POLL_INTERRUPT = 0x80;

/** Vector offset the chip answers with when INTA finds nothing deliverable (IR7). */
export const SPURIOUS_IR = 7;
