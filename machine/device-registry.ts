// Where `impl:` names resolve: built-in device modules by name, or a user's module by path.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeviceModule } from '../bus/device.js';

type Loader = () => Promise<DeviceModule<any>>;

/** Built-in implementations, loaded lazily so a worker imports only what it hosts. */
export const BUILTIN_DEVICES: Readonly<Record<string, Loader>> = {
  vga: async () => (await import('../devices/vga/module.js')).vga,
  i8259: async () => (await import('../devices/i8259/module.js')).i8259,
  i8254: async () => (await import('../devices/i8254/module.js')).i8254,
  i8042: async () => (await import('../devices/i8042/module.js')).i8042,
  uart16550: async () => (await import('../devices/uart16550/module.js')).uart16550,
  'debug-exit': async () => (await import('../devices/debug-exit/module.js')).debugExit,
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
 */
export async function loadDeviceModule(impl: string): Promise<DeviceModule<any>> {
  const builtin = BUILTIN_DEVICES[impl];
  if (builtin) return builtin();
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
