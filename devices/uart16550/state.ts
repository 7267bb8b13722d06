// The complete state of the 16550 as plain JSON, its snapshot schema (version 1), and the reset
// state (QEMU `serial_reset`: IER 0, LCR 0, MCR OUT2, LSR THRE|TEMT, MSR DCD|DSR|CTS, divisor 12).
import { z } from 'zod';

const byte = z.number().int().min(0).max(0xff);

/** Bytes each FIFO holds (QEMU UART_FIFO_LENGTH, the 16550A's FIFOs). */
export const FIFO_SIZE = 16;

export const uartStateSchema = z.object({
  version: z.literal(1),
  /** Received bytes not yet read, oldest first (at most 1 while the FIFOs are disabled). */
  rx: z.array(byte).max(FIFO_SIZE),
  /** The last byte received: what RBR reads while the FIFOs are disabled and nothing is waiting. */
  rbr: byte,
  /** Interrupt enable register, bits 0-3. */
  ier: z.number().int().min(0).max(0x0f),
  lcr: byte,
  /** Modem control register, bits 0-4. */
  mcr: z.number().int().min(0).max(0x1f),
  scr: byte,
  dll: byte,
  dlm: byte,
  /** FIFO control as stored (FE, DMA mode, trigger bits: `& 0xC9`). */
  fcr: byte,
  /** LSR OE: a byte was lost since LSR was last read. */
  overrun: z.boolean(),
  /** MSR bits 0-3 (DCTS, DDSR, TERI, DDCD), cleared by reading MSR. */
  msrDelta: z.number().int().min(0).max(0x0f),
  /** The THR-empty interrupt is pending (set when THR empties, cleared by THR writes and IIR reads). */
  thrPending: z.boolean(),
  /** A character timeout has been signalled (FIFO mode). */
  timeoutPending: z.boolean(),
  /** Machine time (ns) at which the character timeout fires, or null when not armed. */
  timeoutAt: z.number().nullable(),
  /** Host input still on its way: bytes that arrive on SIN at machine time `at` (in order). */
  pendingRx: z.array(z.object({ at: z.number(), bytes: z.array(byte) })).default([]),
});

export type UartState = z.infer<typeof uartStateSchema>;

export function resetState(): UartState {
  return {
    version: 1,
    rx: [],
    rbr: 0,
    ier: 0,
    lcr: 0,
    mcr: 0x08,
    scr: 0,
    dll: 0x0c,
    dlm: 0,
    fcr: 0,
    overrun: false,
    msrDelta: 0,
    thrPending: false,
    timeoutPending: false,
    timeoutAt: null,
    pendingRx: [],
  };
}
