// Reading a machine file and the chain of files it `extends`, each validated by the file schema,
// merged into one picture in which every value remembers where it was written.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigError, KeyPath } from './errors.js';
import { displayPos } from './errors.js';
import { type Issue, describeValue, issuesToErrors, zodParseParams } from './issues.js';
import { type MachineFileSchema, objectKeysAt } from './schema.js';
import { type At, type Source, errorAt, readSource } from './source.js';
import type { IdleMode, OnCrashValue, PlacementValue, TimeMode } from './spec.js';
import { TIME_COST_KEYS, type TimeCosts } from '../../bus/clock.js';
import { closest, didYouMean } from './suggest.js';

/** A value and where it was written. */
export interface Val<T> {
  readonly value: T;
  readonly at: At;
}

export interface MergedDevice {
  readonly name: string;
  /** The instance key, in the file that gave it its impl (else where it first appeared). */
  at: At;
  /** The file had schema errors inside this instance: skip the device checks for it. */
  broken: boolean;
  impl?: Val<string>;
  placement?: Val<PlacementValue>;
  on_crash?: Val<OnCrashValue>;
  limits?: Val<{ memory?: number | string }>;
  ports?: Val<Record<string, number | string>>;
  mmio?: Val<Record<string, number | string>>;
  adapter?: Val<string>;
  options?: Val<Record<string, unknown>>;
}

const DEVICE_KEYS = ['impl', 'placement', 'on_crash', 'ports', 'mmio', 'adapter', 'options', 'limits'] as const;

export interface Merged {
  /** The last file applied: the one loadMachine was given. */
  root?: Source;
  name?: Val<string>;
  memory?: Val<number | string>;
  mode?: Val<TimeMode>;
  nsPerInstruction?: Val<number>;
  /** time.costs, key by key: a later file overrides only the classes it names. */
  costs?: Partial<Record<keyof TimeCosts, Val<string | 0>>>;
  idle?: Val<IdleMode>;
  noReboot?: Val<boolean>;
  watchdog?: Val<string>;
  main?: Val<string>;
  scenario?: Val<string>;
  allocator?: Val<string>;
  timeslice?: Val<string>;
  threads?: Val<number>;
  /** Keys whose value was rejected somewhere: no "missing" error for them. */
  readonly rejected: Set<string>;
  readonly devices: Map<string, MergedDevice>;
  /** Instances removed with `name: ~`, and where. */
  readonly removed: Map<string, At>;
  readonly wires: Val<string>[];
  /** A file could not be read or parsed, or whole sections were invalid: skip cross-checks. */
  incomplete: boolean;
}

export interface LoadContext {
  readonly schema: MachineFileSchema;
  readonly errors: ConfigError[];
  /** Files in the order they were read (for sorting errors). */
  readonly files: string[];
}

export function emptyMerged(): Merged {
  return { rejected: new Set(), devices: new Map(), removed: new Map(), wires: [], incomplete: false };
}

const isPrefix = (prefix: KeyPath, path: KeyPath): boolean => prefix.every((seg, i) => String(seg) === String(path[i]));

/** The part of the file an issue spoils: a whole device or wire, one time/kernel key, one top key. */
function spoiled(issue: Issue): KeyPath {
  let path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys' && (path.length === 0 || path[0] === 'time' || path[0] === 'kernel')) {
    path = [...path, ...(issue.keys ?? []).slice(0, 1)];
  }
  const keep = ['devices', 'wires', 'time', 'kernel'].includes(String(path[0])) ? 2 : 1;
  return path.slice(0, keep);
}

/** Read `file` (and, first, what it extends) into `merged` form. */
export function loadChain(file: string, ctx: LoadContext, stack: readonly string[] = []): Merged {
  if (!ctx.files.includes(file)) ctx.files.push(file);
  const { src, errors } = readSource(file);
  ctx.errors.push(...errors);
  if (!src) return { ...emptyMerged(), incomplete: true };

  const value: unknown = src.doc.toJS();
  if (value === null || value === undefined) {
    ctx.errors.push(errorAt({ src, path: [] }, 'the file is empty.', 'A machine file needs at least memory:, kernel: and devices:, or extends: another machine file.'));
    return { ...emptyMerged(), incomplete: true };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    ctx.errors.push(
      errorAt({ src, path: [] }, `a machine file is a map of keys, but this one is ${describeValue(value)}.`, 'Write it as key: value lines: memory:, kernel:, devices:, wires: (see config/schema.json).'),
    );
    return { ...emptyMerged(), incomplete: true };
  }
  const parsed = ctx.schema.safeParse(value, zodParseParams);
  const bad: KeyPath[] = [];
  /** Keys whose misspelling was reported ("memroy"): no second error saying they are missing. */
  const misspelt: string[] = [];
  if (!parsed.success) {
    const issues = parsed.error.issues as Issue[];
    ctx.errors.push(...issuesToErrors({ src, path: [] }, issues, ctx.schema));
    for (const issue of issues) {
      bad.push(spoiled(issue));
      for (const key of issue.code === 'unrecognized_keys' ? (issue.keys ?? []) : []) {
        const near = closest(key, objectKeysAt(ctx.schema, issue.path)?.keys ?? []);
        if (near) misspelt.push([...issue.path.map(String), near].join('.'));
      }
    }
  }
  if (bad.some((b) => b.length === 0)) return { ...emptyMerged(), incomplete: true };
  const v = value as Record<string, unknown>;
  const ok = (path: KeyPath): boolean => !bad.some((b) => isPrefix(b, path));

  let merged = emptyMerged();
  if (typeof v.extends === 'string' && ok(['extends'])) {
    const base = resolve(src.dir, v.extends);
    const at: At = { src, path: ['extends'] };
    if (base === file || stack.includes(base)) {
      const cycle = [...stack, file, base].slice([...stack, file].indexOf(base));
      ctx.errors.push(
        errorAt(at, `a cycle: ${cycle.map((f) => displayPos({ file: f, line: 0, column: 0 })).join(' extends ')}.`, 'A machine file cannot extend itself, directly or through others: remove one of these extends.'),
      );
      merged.incomplete = true;
    } else if (!existsSync(base) || !statSync(base).isFile()) {
      ctx.errors.push(errorAt(at, `file not found: ${base}.`, `extends is a path relative to this file's folder (${src.dir}).`));
      merged.incomplete = true;
    } else {
      merged = loadChain(base, ctx, [...stack, file]);
    }
  }
  applyLayer(merged, src, v, ok, ctx, false);
  for (const key of misspelt) merged.rejected.add(key);
  return merged;
}

/** Device names at the two ends of a wire string ("pit.out0 -> pic1.ir0" → pit, pic1). */
function wireDevices(wire: string): string[] {
  return wire.split('->').map((side) => side.trim().split('.')[0]);
}

/**
 * Merge one layer over `m`: scalars and time/kernel keys override, devices per instance (`~`
 * removes one, with its inherited wires), wires append.
 */
export function applyLayer(
  m: Merged,
  src: Source,
  v: Record<string, unknown>,
  ok: (path: KeyPath) => boolean,
  ctx: LoadContext,
  isOverride: boolean,
): void {
  const val = <T>(value: unknown, path: KeyPath): Val<T> => ({ value: value as T, at: { src, path } });
  const take = <T>(key: string, path: KeyPath, obj: Record<string, unknown>): Val<T> | undefined | null => {
    if (!(key in obj) || obj[key] === undefined) return null; // not written here: keep the base's
    if (!ok(path)) {
      m.rejected.add(path.join('.'));
      return undefined;
    }
    return val<T>(obj[key], path);
  };
  // The name is per file: a file that does not name itself is named after its file.
  if (!isOverride) {
    m.name = undefined;
    m.root = src;
  }
  const name = take<string>('name', ['name'], v);
  if (name !== null) m.name = name;
  const memory = take<number | string>('memory', ['memory'], v);
  if (memory !== null) m.memory = memory;
  const noReboot = take<boolean>('no_reboot', ['no_reboot'], v);
  if (noReboot !== null) m.noReboot = noReboot;
  const watchdog = take<string>('watchdog', ['watchdog'], v);
  if (watchdog !== null) m.watchdog = watchdog;

  const time = v.time as Record<string, unknown> | undefined;
  if (time && typeof time === 'object' && ok(['time'])) {
    const mode = take<TimeMode>('mode', ['time', 'mode'], time);
    if (mode !== null) m.mode = mode;
    const nspi = take<number>('ns_per_instruction', ['time', 'ns_per_instruction'], time);
    if (nspi !== null) m.nsPerInstruction = nspi;
    const costs = time.costs as Record<string, unknown> | undefined;
    if (costs && typeof costs === 'object' && ok(['time', 'costs'])) {
      for (const key of TIME_COST_KEYS) {
        const cost = take<string | 0>(key, ['time', 'costs', key], costs);
        if (cost) (m.costs ??= {})[key] = cost;
      }
    }
    const idle = take<IdleMode>('idle', ['time', 'idle'], time);
    if (idle !== null) m.idle = idle;
  }
  const kernel = v.kernel as Record<string, unknown> | undefined;
  if ('kernel' in v && !ok(['kernel'])) m.rejected.add('kernel.main');
  if (kernel && typeof kernel === 'object' && ok(['kernel'])) {
    const main = take<string>('main', ['kernel', 'main'], kernel);
    if (main !== null) m.main = main;
    const scenario = take<string>('scenario', ['kernel', 'scenario'], kernel);
    if (scenario !== null) m.scenario = scenario;
    const allocator = take<string>('allocator', ['kernel', 'allocator'], kernel);
    if (allocator !== null) m.allocator = allocator;
    const timeslice = take<string>('timeslice', ['kernel', 'timeslice'], kernel);
    if (timeslice !== null) m.timeslice = timeslice;
  }
  const cpu = v.cpu as Record<string, unknown> | undefined;
  if (cpu && typeof cpu === 'object' && ok(['cpu'])) {
    const threads = take<number>('threads', ['cpu', 'threads'], cpu);
    if (threads !== null) m.threads = threads;
  }

  if ('devices' in v && !ok(['devices'])) m.incomplete = true;
  const devices = v.devices as Record<string, Record<string, unknown> | null> | undefined;
  if (devices && typeof devices === 'object' && ok(['devices'])) {
    for (const [name, dev] of Object.entries(devices)) {
      const at: At = { src, path: ['devices', name] };
      if (!ok(['devices', name])) {
        const existing = m.devices.get(name);
        if (existing) existing.broken = true;
        else m.devices.set(name, { name, at, broken: true });
        continue;
      }
      if (dev === null || dev === undefined) {
        if (m.devices.has(name)) {
          m.devices.delete(name);
          m.removed.set(name, at);
          // Its wires from the base files go with it; wires written later to it are errors.
          m.wires.splice(0, m.wires.length, ...m.wires.filter((w) => !wireDevices(w.value).includes(name)));
        } else if (!m.incomplete) {
          ctx.errors.push(
            errorAt(
              at,
              `"${name}" is empty (null), which removes an instance inherited through extends, but there is no device "${name}" to remove.`,
              `${didYouMean(name, m.devices.keys())}Give it an impl (impl: <device>), or delete the line.`,
              'key',
            ),
          );
        }
        continue;
      }
      let d = m.devices.get(name);
      if (!d) {
        d = { name, at, broken: false };
        m.devices.set(name, d);
        m.removed.delete(name);
      }
      for (const key of DEVICE_KEYS) {
        if (key in dev && dev[key] !== undefined) (d as unknown as Record<string, unknown>)[key] = val(dev[key], ['devices', name, key]);
      }
      if ('impl' in dev) d.at = at;
    }
  }

  const wires = v.wires as unknown[] | undefined;
  if (Array.isArray(wires) && ok(['wires'])) {
    wires.forEach((w, i) => {
      if (ok(['wires', i])) m.wires.push(val<string>(w, ['wires', i]));
    });
  }
}
