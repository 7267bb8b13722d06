// POST: what SeaBIOS leaves behind for the kernel (device-models.md §2), done by real port I/O
// and stores on the simulated machine.
import { cli, fn, inb, outb, store16 } from '../cpu/isa.js';
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

const KBD_DATA = 0x60;
const KBD_STATUS = 0x64;
const OBF = 0x01;
const IBF = 0x02;
const AUX_OBF = 0x20;
const ACK = 0xfa;
const RESEND = 0xfe;
const BAT_OK = 0xaa;
const SELF_TEST_OK = 0x55;
/** Status polls before a PS/2 step is given up (a missing controller reads 0xFF and never answers). */
const PS2_POLLS = 1000;
/** Bytes read (and dropped) to empty the controller before POST talks to it: SeaBIOS's i8042_flush. */
const FLUSH_BYTES = 16;
/** Sends of one keyboard byte answered with RESEND (0xFE) before POST gives up on it. */
const SEND_TRIES = 3;

function waitInputEmpty(): boolean {
  for (let i = 0; i < PS2_POLLS; i++) if ((inb(KBD_STATUS) & IBF) === 0) return true;
  return false;
}

/**
 * Wait for a byte `wanted` accepts. Anything else in the output buffer (a scancode typed during
 * POST, an aux byte, a stale reply) is not part of this exchange and is read and dropped, as
 * SeaBIOS's ps2_recvbyte does. -1 when the poll budget runs out first.
 */
function receive(wanted: (b: number) => boolean): number {
  for (let i = 0; i < PS2_POLLS; i++) {
    const status = inb(KBD_STATUS);
    if (!(status & OBF)) continue;
    const b = inb(KBD_DATA);
    if (!(status & AUX_OBF) && wanted(b)) return b;
  }
  return -1;
}

/** Read what waits in the output buffer; false if it never empties (no controller: reads 0xFF). */
function flush(): boolean {
  for (let i = 0; i < FLUSH_BYTES; i++) {
    if (!(inb(KBD_STATUS) & OBF)) return true;
    inb(KBD_DATA);
  }
  return (inb(KBD_STATUS) & OBF) === 0;
}

function controllerCommand(cmd: number, data?: number): void {
  waitInputEmpty();
  outb(KBD_STATUS, cmd);
  if (data !== undefined) {
    waitInputEmpty();
    outb(KBD_DATA, data);
  }
}

/** One byte to the keyboard until it is ACKed: RESEND (0xFE) asks for it again (PS/2 protocol). */
function keyboardSend(byte: number): boolean {
  for (let attempt = 0; attempt < SEND_TRIES; attempt++) {
    waitInputEmpty();
    outb(KBD_DATA, byte);
    const reply = receive((b) => b === ACK || b === RESEND);
    if (reply !== RESEND) return reply === ACK;
  }
  return false;
}

/**
 * SeaBIOS ps2_keyboard_setup: controller self-test (0x55), keyboard reset (FA AA), scanning
 * disabled while configuring (F5), command byte 0x61 (translation to set 1, IRQ1 on, aux port
 * disabled), scanning enabled (F4). A key pressed meanwhile cannot derail it: the buffer is
 * flushed first and bytes other than the awaited reply are dropped. With no controller present
 * (ports read 0xFF) the steps time out and the keyboard is skipped.
 */
export const ps2KeyboardSetup = fn('bios::ps2_keyboard_setup', (): boolean => {
  controllerCommand(0xad); // disable the keyboard interface: keys stay in the keyboard
  controllerCommand(0xa7); // disable the aux interface
  if (!flush()) return false;
  controllerCommand(0xaa);
  if (receive((b) => b === SELF_TEST_OK) < 0) return false;
  controllerCommand(0x60, 0x30); // interrupts off while the keyboard is reset
  controllerCommand(0xae);
  // After its ACK a keyboard sends nothing but the BAT result (scanning starts after it); only a
  // byte already in the controller can come first, and receive() has dropped it.
  if (!keyboardSend(0xff) || receive((b) => b === BAT_OK) < 0) return false;
  if (!keyboardSend(0xf5)) return false; // disable scanning while configuring
  controllerCommand(0x60, 0x61); // XLATE | AUXDIS | KBDINT
  return keyboardSend(0xf4);
}, { region: FIRMWARE_TEXT });

/**
 * The bootloader's real-mode stages run with interrupts on, so keys typed meanwhile are taken by
 * the BIOS's IRQ1 handler (int 09h) into its own buffer, never seen by the kernel. Our firmware
 * runs with IF=0 throughout, so this does the handler's part once, just before the switch to
 * long mode: read what waits in the 8042's output buffer. Without it a key typed in that window
 * holds IRQ1 high across the kernel's PIC set-up (which forgets the pending edge) and no
 * keyboard interrupt ever comes.
 */
export const biosKeyboardService = fn('bios::int09_keyboard_handler', () => {
  flush();
}, { region: FIRMWARE_TEXT });

/** Power-on self test: the state blog_os relies on. Interrupts are off when it is done. */
export const post = fn('bios::post', () => {
  cli();
  setTextMode3();
  pitSetup();
  picSetup();
  ps2KeyboardSetup();
}, { region: FIRMWARE_TEXT });
