// POST: what SeaBIOS leaves behind for the kernel (device-models.md §2), done by real port I/O
// and stores on the simulated machine.
import { cli, fn, outb, store16 } from '../cpu/isa.js';
import { FIRMWARE_TEXT } from '../cpu/text.js';

const TEXT_BUFFER = 0xb8000;
const CELLS = 80 * 25;
/** The mode-3 blank: space (0x20) on light grey on black (0x07). */
export const MODE3_BLANK = 0x0720;

/** int 10h, AH=0, AL=3: 80×25 colour text, every cell the mode-3 blank. */
export const setTextMode3 = fn('bios::vga_set_mode_3', () => {
  for (let i = 0; i < CELLS; i++) store16(TEXT_BUFFER + 2 * i, MODE3_BLANK);
}, { region: FIRMWARE_TEXT });

/** SeaBIOS pit_setup: channel 0, lobyte/hibyte, mode 2 (rate generator), count 0 = 65536 → ≈18.2065 Hz. */
export const pitSetup = fn('bios::pit_setup', () => {
  outb(0x43, 0x34);
  outb(0x40, 0x00);
  outb(0x40, 0x00);
}, { region: FIRMWARE_TEXT });

/**
 * SeaBIOS pic_setup: both 8259As initialised with the BIOS vectors (0x08, 0x70), the slave on
 * IR2; then every line masked except the cascade, and the lines the BIOS serves unmasked:
 * IRQ0 (timer) and IRQ1 (keyboard). IRQ4 (COM1) stays masked.
 */
export const picSetup = fn('bios::pic_setup', () => {
  outb(0x20, 0x11); // ICW1: edge, cascade, ICW4 needed
  outb(0xa0, 0x11);
  outb(0x21, 0x08); // ICW2: master vectors 0x08..0x0f
  outb(0xa1, 0x70); // ICW2: slave vectors 0x70..0x77
  outb(0x21, 0x04); // ICW3: slave on IR2
  outb(0xa1, 0x02); // ICW3: slave identity 2
  outb(0x21, 0x01); // ICW4: 8086 mode
  outb(0xa1, 0x01);
  outb(0x21, 0xf8); // OCW1: IRQ0, IRQ1, IRQ2 unmasked
  outb(0xa1, 0xff);
}, { region: FIRMWARE_TEXT });

/** Power-on self test: the state blog_os relies on. Interrupts are off when it is done. */
export const post = fn('bios::post', () => {
  cli();
  setTextMode3();
  pitSetup();
  picSetup();
}, { region: FIRMWARE_TEXT });
