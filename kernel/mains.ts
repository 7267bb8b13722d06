// The kernel entries a machine can boot (`kernel.main` in the YAML): the kernel as it stands
// after each post of the blog.

export interface KernelEntry {
  /** One line for --print-config and docs. */
  readonly title: string;
  load(): Promise<{ kernel_main: (bootInfo: number) => never }>;
}

export const KERNEL_MAINS: Readonly<Record<string, KernelEntry>> = {
  'post-03': { title: 'VGA text mode: the Writer prints "Hello World!"', load: () => import('./main/post-03.js') },
};

/** The newest post: what config/default.yaml runs. */
export const NEWEST_KERNEL = 'post-03';
