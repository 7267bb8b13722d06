// Where `impl:` names resolve: built-in device modules by name, or a user's module by path.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeviceModule } from '../bus/device.js';

type Loader = () => Promise<DeviceModule<any>>;

interface Builtin {
  /** What an actor needs to host the device: the module without its options schema (no zod). */
  readonly module: Loader;
  /** The zod schema of its YAML options: loaded on the main thread only, for validation. */
  readonly options: () => Promise<DeviceModule<any>['options']>;
}

/** Built-in implementations, loaded lazily so a worker imports only what it hosts. */
export const BUILTIN_DEVICES: Readonly<Record<string, Builtin>> = {
  vga: { module: async () => (await import('../devices/vga/module.js')).vga, options: async () => (await import('../devices/vga/options.js')).vgaOptions },
  i8259: { module: async () => (await import('../devices/i8259/module.js')).i8259, options: async () => (await import('../devices/i8259/options.js')).i8259Options },
  i8254: { module: async () => (await import('../devices/i8254/module.js')).i8254, options: async () => (await import('../devices/i8254/options.js')).i8254Options },
  i8042: { module: async () => (await import('../devices/i8042/module.js')).i8042, options: async () => (await import('../devices/i8042/options.js')).i8042Options },
  uart16550: {
    module: async () => (await import('../devices/uart16550/module.js')).uart16550,
    options: async () => (await import('../devices/uart16550/options.js')).uart16550Options,
  },
  lapic: { module: async () => (await import('../devices/lapic/module.js')).lapic, options: async () => (await import('../devices/lapic/options.js')).lapicOptions },
  ioapic: { module: async () => (await import('../devices/ioapic/module.js')).ioapic, options: async () => (await import('../devices/ioapic/options.js')).ioapicOptions },
  'debug-exit': {
    module: async () => (await import('../devices/debug-exit/module.js')).debugExit,
    options: async () => (await import('../devices/debug-exit/options.js')).debugExitOptions,
  },
};

export function isBuiltin(impl: string): boolean {
  return Object.hasOwn(BUILTIN_DEVICES, impl);
}

/** A path-like impl ("./my-rtc.js", "../devices/x.mjs", "/abs/y.js") names a user module. */
export function isModulePath(impl: string): boolean {
  return impl.startsWith('.') || isAbsolute(impl) || /\.(m?js|ts)$/.test(impl);
}

/** Absolute file path of a user module, relative to the YAML file's folder. */
export function resolveModulePath(impl: string, baseDir: string): string {
  return isAbsolute(impl) ? impl : resolve(baseDir, impl);
}

export class DeviceModuleError extends Error {}

/**
 * Load a device module. `impl` is a built-in name or an absolute module path (already resolved).
 * A user module must export `default` or `device`: an object made with defineDevice().
 * `withOptions: false` (actors) leaves out a built-in's options schema: the spec carries the
 * options already parsed on the main thread, and the worker stays free of zod.
 */
export async function loadDeviceModule(impl: string, { withOptions = true } = {}): Promise<DeviceModule<any>> {
  const builtin = BUILTIN_DEVICES[impl];
  if (builtin) {
    const module = await builtin.module();
    return withOptions ? { ...module, options: await builtin.options() } : module;
  }
  let ns: Record<string, unknown>;
  try {
    ns = await import(pathToFileURL(impl).href);
  } catch (err) {
    throw new DeviceModuleError(`cannot load device module ${impl}: ${(err as Error).message}`);
  }
  const candidate = (ns.default ?? ns.device) as DeviceModule | undefined;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.create !== 'function' || !Array.isArray(candidate.regions)) {
    throw new DeviceModuleError(
      `${impl} does not export a device: export default defineDevice({ kind, title, regions, create }) from it`,
    );
  }
  return candidate;
}
