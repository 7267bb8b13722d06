// What Machine.start() takes: a machine file, a bundled machine's name, or a resolved spec; and
// the options, durations written as the CLI writes them ("1s", "100ms") or machine ns.
import { existsSync } from 'node:fs';
import { loadMachine } from '../machine/config/load.js';
import { nestKeys } from '../machine/config/overrides.js';
import type { MachineSpec } from '../machine/config/spec.js';
import { parseDuration } from '../machine/config/units.js';
import { projectPath } from '../machine/paths.js';

/** Machine time: "5s", "250ms", "100us" (as the CLI's --for), or a number of ns. */
export type Duration = string | number;

export interface MachineOptions {
  /** virtual (deterministic, as fast as the host allows) or realtime; default: the file's time.mode. */
  readonly time?: 'virtual' | 'realtime';
  /** Stop once this much machine time has passed (as --for). */
  readonly for?: Duration;
  /**
   * Overrides of machine-file keys, checked as the file is (as --set KEY=VALUE):
   * { 'devices.com1.adapter': 'file', 'kernel.scenario': 'missing-eoi' }.
   */
  readonly set?: Readonly<Record<string, unknown>>;
  /** A triple fault stops the machine (status 0) instead of resetting it (as --no-reboot). */
  readonly noReboot?: boolean;
  /**
   * Drive the machine file's front-end adapters (serial to stdout or a file, a user device's own);
   * default false: the streams are the front end. A terminal display is always headless here.
   */
  readonly frontEnds?: boolean;
  /** Also write every trace record to this NDJSON file (as --log). */
  readonly log?: string;
}

/** ns from a Duration; an Error names the option and the fix. */
export function toNs(d: Duration, what: string): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new Error(`${what}: ${d} is not a machine time; give ns ≥ 0 or a duration such as "100ms".`);
    return Math.round(d);
  }
  try {
    return parseDuration(d);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message} Write a duration such as "1s" or "100ms", or machine ns as a number.`);
  }
}

/** A path, or a bundled machine: "post-07" (config/posts/post-07.yaml), "default", "pc", "test". */
export function machineFile(nameOrPath: string): string {
  if (existsSync(nameOrPath) || !/^[\w-]+$/.test(nameOrPath)) return nameOrPath;
  for (const candidate of [projectPath('config', 'posts', `${nameOrPath}.yaml`), projectPath('config', `${nameOrPath}.yaml`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return nameOrPath;
}

export async function loadMachineFor(fileOrSpec: string | MachineSpec, options: MachineOptions): Promise<MachineSpec> {
  const layer: Record<string, unknown> = { ...nestKeys(options.set ?? {}) };
  if (options.noReboot) layer.no_reboot = true;
  let spec = typeof fileOrSpec === 'string'
    ? await loadMachine(machineFile(fileOrSpec), Object.keys(layer).length ? layer : undefined, { overridesLabel: 'set' })
    : fileOrSpec;
  if (typeof fileOrSpec !== 'string' && Object.keys(layer).length) {
    throw new Error('Machine.start(spec, { set, noReboot }): overrides apply to a machine file; load the spec with loadMachine(file, overrides) instead.');
  }
  if (options.time) spec = { ...spec, time: { ...spec.time, mode: options.time } };
  return spec;
}
