// Kernel entries a machine file may name in `kernel.main`, and their scenarios: the kernel's own
// registry decides.
import { KERNEL_MAINS as REGISTRY } from '../../kernel/mains.js';

export const KERNEL_MAINS: readonly string[] = Object.keys(REGISTRY);

export function kernelScenarios(main: string): readonly string[] {
  return REGISTRY[main] ? Object.keys(REGISTRY[main].scenarios) : [];
}
