// The kernel entry points a machine file may name as `kernel.main`. Each blog post of the
// kernel port adds one; the loader (and config/schema.json) accept exactly these.
export const KERNEL_MAINS: readonly string[] = ['post-03'];
