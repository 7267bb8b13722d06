// The YAML `options:` of the lapic device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value.
import { z } from 'zod';

export const lapicOptions = z.strictObject({
  /** APIC ID after reset (the ID register's bits 24-31); an I/O APIC's physical destination names it. */
  id: z.int().min(0).max(0xfe).default(0).meta({ description: 'APIC ID after reset (0..254; 255 is the broadcast destination).' }),
  /**
   * LINT0 after reset: ExtINT and unmasked (virtual wire mode, as firmware leaves the bootstrap
   * processor and QEMU resets CPU 0), or masked as the SDM's reset value (then the 8259 reaches the
   * CPU only once software programs LINT0).
   */
  virtual_wire: z.boolean().default(true).meta({ description: 'Reset with LINT0 = ExtINT unmasked, so the 8259 reaches the CPU through this APIC (virtual wire mode).' }),
  /** The timer's input clock before the divider (the APIC bus clock). QEMU's: 1 GHz. */
  timer_hz: z.number().min(1e3).max(1e10).default(1e9).meta({ description: 'Frequency of the timer input before the divide configuration (default 1 GHz, as QEMU).' }),
});

export type LapicOptions = z.infer<typeof lapicOptions>;
