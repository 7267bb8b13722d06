// The YAML `options:` of the ioapic device, validated once on the main thread (config).
import { z } from 'zod';

export const ioapicOptions = z.strictObject({
  /** IOAPICID bits 24-27 after reset (also the arbitration ID). */
  id: z.int().min(0).max(15).default(0).meta({ description: 'I/O APIC ID after reset (0..15; also its arbitration ID).' }),
});

export type IoapicOptions = z.infer<typeof ioapicOptions>;
