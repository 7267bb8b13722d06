// The YAML `options:` of the vga device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

export const vgaOptions = z.strictObject({});
export type VgaOptions = z.infer<typeof vgaOptions>;
