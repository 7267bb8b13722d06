// Device instances: impl → module, ports → claims (overlaps found by PortMap), adapter, options
// (checked by the module's own schema). Every problem is a ConfigError at the YAML that caused it.
import { existsSync, statSync } from 'node:fs';
import type { DeviceModule, RegionSpec } from '../../bus/device.js';
import { PortConflictError, PortMap, PortRangeError, fmtRange, hex } from '../../bus/ports.js';
import type { PortClaim } from '../../bus/ports.js';
import { BUILTIN_DEVICES, isBuiltin, isModulePath, loadDeviceModule, resolveModulePath } from '../device-registry.js';
import { type ConfigError, displayPos } from './errors.js';
import { type Issue, issuesToErrors, zodParseParams } from './issues.js';
import type { Merged, MergedDevice } from './merge.js';
import { objectKeysAt } from './schema.js';
import { type At, errorAt, posAt } from './source.js';
import { DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_RESTART_BUDGET, type DeviceSpec, type PlacementValue, type PortSpec, type SourcePos } from './spec.js';
import { parseDuration, parseSize } from './units.js';
import { MAX_OUT_CHANGES } from '../../bus/endpoint.js';
import { didYouMean } from './suggest.js';
import { checkMmioPlacement, checkMmioRegions, mmioOf, type MmioPlaced } from './mmio.js';

export interface ResolvedDevice {
  readonly spec: DeviceSpec;
  readonly module: DeviceModule<any>;
}

interface Claim {
  readonly claim: PortClaim;
  /** The `ports:` entry that placed it; undefined at the region's default base. */
  readonly at?: At;
  readonly device: MergedDevice;
}

const builtinList = (): string => Object.keys(BUILTIN_DEVICES).join(', ');

/** Loads each module once per loadMachine call. */
export type ModuleCache = Map<string, Promise<DeviceModule<any>>>;

export async function resolveDevices(m: Merged, errors: ConfigError[], cache: ModuleCache = new Map()): Promise<Map<string, ResolvedDevice>> {
  const out = new Map<string, ResolvedDevice>();
  const claims: Claim[] = [];
  const mmio: MmioPlaced[] = [];
  for (const d of m.devices.values()) {
    if (d.broken) continue;
    const resolved = await resolveDevice(d, m, errors, cache, claims, mmio);
    if (resolved) out.set(d.name, resolved);
  }
  findOverlaps(claims, errors);
  checkMmioPlacement(mmio, ramBytesOf(m), errors);
  return out;
}

/** Installed RAM, when the memory size is valid (else the MMIO-above-RAM check is skipped). */
function ramBytesOf(m: Merged): number | undefined {
  try {
    return m.memory ? parseSize(m.memory.value) : undefined;
  } catch {
    return undefined;
  }
}

async function resolveDevice(d: MergedDevice, m: Merged, errors: ConfigError[], cache: ModuleCache, claims: Claim[], mmioPlaced: MmioPlaced[]): Promise<ResolvedDevice | undefined> {
  if (!d.impl) {
    if (!m.incomplete) {
      errors.push(
        errorAt(d.at, `device "${d.name}" has no impl.`, `Add impl: followed by a built-in device (${builtinList()}) or the path of your own module (./my-device.mjs).`, 'key'),
      );
    }
    return undefined;
  }
  const impl = d.impl.value;
  const implAt = d.impl.at;
  let moduleId: string;
  if (isBuiltin(impl)) {
    moduleId = impl;
  } else if (isModulePath(impl)) {
    moduleId = resolveModulePath(impl, implAt.src.dir);
    if (!existsSync(moduleId) || !statSync(moduleId).isFile()) {
      errors.push(errorAt(implAt, `file not found: ${moduleId}.`, `A module path is relative to the folder of the file it is written in (${implAt.src.dir}).`));
      return undefined;
    }
  } else {
    const local = ['.mjs', '.js'].map((ext) => `./${impl}${ext}`).find((p) => existsSync(resolveModulePath(p, implAt.src.dir)));
    errors.push(
      errorAt(
        implAt,
        `unknown device "${impl}".`,
        local
          ? `To use your module, write its path: impl: ${local}. Built-in devices: ${builtinList()}.`
          : `${didYouMean(impl, Object.keys(BUILTIN_DEVICES))}Built-in devices: ${builtinList()}. For your own module, write its path, e.g. impl: ./${impl}.mjs.`,
      ),
    );
    return undefined;
  }

  let mod: DeviceModule<any>;
  try {
    let pending = cache.get(moduleId);
    if (!pending) cache.set(moduleId, (pending = loadDeviceModule(moduleId)));
    mod = await pending;
  } catch (err) {
    errors.push(moduleLoadError(implAt, impl, moduleId, err));
    return undefined;
  }
  const malformed = checkModule(mod);
  if (malformed) {
    errors.push(errorAt(implAt, `module "${impl}" is malformed: ${malformed}.`, 'Fix its description (DeviceModule in bus/device.ts: regions, inputs, outputs, adapters, options).'));
    return undefined;
  }

  let ok = true;
  const ports = portsOf(d, mod, errors, claims);
  if (!ports) ok = false;
  const mmio = mmioOf(d, mod, errors, mmioPlaced);
  if (!mmio) ok = false;

  let adapter: string | undefined = mod.adapters?.[0];
  if (d.adapter) {
    const adapters = mod.adapters ?? [];
    if (adapters.length === 0) {
      errors.push(errorAt(d.adapter.at, `${impl} has no front-end adapters.`, 'Remove the adapter: line.'));
      ok = false;
    } else if (!adapters.includes(d.adapter.value)) {
      errors.push(
        errorAt(d.adapter.at, `unknown adapter "${d.adapter.value}".`, `${didYouMean(d.adapter.value, adapters)}Adapters of ${impl}: ${adapters.join(', ')} (default ${adapters[0]}).`),
      );
      ok = false;
    } else {
      adapter = d.adapter.value;
    }
  }

  const options = await optionsOf(d, impl, mod, errors);
  if (!options) ok = false;
  if (!ok || !ports || !options) return undefined;

  const spec: DeviceSpec = {
    name: d.name,
    impl,
    module: moduleId,
    ...placementOf(d.name, d.placement?.value),
    ...crashPolicyOf(d),
    ports,
    ...(mmio && mmio.length > 0 ? { mmio } : {}),
    ...(adapter !== undefined ? { adapter } : {}),
    options,
    pos: posAt(d.at.src, d.at.path, 'key'),
  };
  return { spec, module: mod };
}

function moduleLoadError(at: At, impl: string, moduleId: string, err: unknown): ConfigError {
  const reason = String((err as Error)?.message ?? err).replace(/\s+/g, ' ').trim();
  if (isBuiltin(impl)) {
    return errorAt(at, `built-in device "${impl}" failed to load: ${reason}.`, 'This is a bug in actorpc, not in your file: please report it.');
  }
  if (/does not export a device/.test(reason)) {
    return errorAt(at, `${moduleId} does not export a device.`, 'Export one from it: export default defineDevice({ kind, title, regions, create }).');
  }
  const ts = /\.ts$/.test(moduleId) ? ' Node cannot import TypeScript directly: compile it and point impl at the .js file.' : '';
  return errorAt(at, `cannot load device module ${moduleId}: ${reason.replace(/^cannot load device module \S+: /, '')}.`, `Fix the module so that it loads (try: node ${moduleId}).${ts}`);
}

/** What is wrong with a module's static description, if anything. */
function checkModule(mod: DeviceModule<any>): string | undefined {
  const names = new Set<string>();
  for (const [i, r] of mod.regions.entries()) {
    if (!r || typeof r.name !== 'string' || r.name === '') return `regions[${i}] has no name`;
    if (names.has(r.name)) return `two regions are named "${r.name}"`;
    names.add(r.name);
    if (!Number.isInteger(r.size) || r.size < 1) return `region ${r.name} has size ${r.size}`;
    if (!Number.isInteger(r.base) || r.base < 0 || r.base + r.size > 0x10000) return `region ${r.name} has base ${r.base}`;
  }
  for (const key of ['inputs', 'outputs', 'adapters'] as const) {
    const list = mod[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((p) => typeof p !== 'string'))) return `${key} is not a list of names`;
  }
  const mmio = checkMmioRegions(mod);
  if (mmio) return mmio;
  if (mod.options !== undefined && typeof (mod.options as { safeParse?: unknown }).safeParse !== 'function') return 'options is not a zod schema';
  // A call's response carries the final level of every output that moved (bus/endpoint.ts).
  if ((mod.outputs?.length ?? 0) > MAX_OUT_CHANGES) return `it has ${mod.outputs!.length} outputs; a device may have at most ${MAX_OUT_CHANGES}`;
  return undefined;
}

const regionList = (regions: readonly RegionSpec[]): string =>
  regions.map((r) => `${r.name} (${fmtRange(r)}, ${r.size} port${r.size === 1 ? '' : 's'})`).join(', ');

/** Port specs of all regions (written base or default), collecting claims; undefined on error. */
function portsOf(d: MergedDevice, mod: DeviceModule<any>, errors: ConfigError[], claims: Claim[]): PortSpec[] | undefined {
  const impl = d.impl!.value;
  const written = d.ports?.value ?? {};
  const bases = new Map<string, { base: number; at: At }>();
  let ok = true;
  for (const [rname, value] of Object.entries(written)) {
    const at: At = { src: d.ports!.at.src, path: [...d.ports!.at.path, rname] };
    const region = mod.regions.find((r) => r.name === rname);
    if (!region) {
      const names = mod.regions.map((r) => r.name);
      errors.push(errorAt(at, `${impl} has no port region "${rname}".`, `${didYouMean(rname, names)}Regions of ${impl}: ${regionList(mod.regions) || 'none'}.`, 'key'));
      ok = false;
      continue;
    }
    const base = parsePortValue(value, region);
    if (typeof base !== 'number') {
      errors.push(errorAt(at, base.message, base.hint));
      ok = false;
      continue;
    }
    bases.set(rname, { base, at });
  }
  if (!ok) return undefined;
  return mod.regions.map((region, regionIndex) => {
    const placed = bases.get(region.name);
    const base = placed?.base ?? region.base;
    claims.push({
      claim: { device: d.name, region: region.name, regionIndex, base, size: region.size, widths: region.widths ?? [1], names: region.names },
      at: placed?.at,
      device: d,
    });
    return { region: region.name, regionIndex, base, size: region.size };
  });
}

const PORT_NUM = /^(0[xX][0-9a-fA-F]+|[0-9]+)$/;

/** A base port from `0x3d4`, `"0x3d4"` or `"0x3d4-0x3d5"` (range size must equal the region's). */
export function parsePortValue(value: number | string, region: RegionSpec): number | { message: string; hint: string } {
  const form = `Write a base port such as ${hex(region.base)}, or a range such as "${fmtRange(region)}" (${region.size} port${region.size === 1 ? '' : 's'}).`;
  let lo: number;
  let hi: number | undefined;
  if (typeof value === 'number') {
    lo = value;
  } else {
    const parts = value.split('-').map((s) => s.trim());
    if (parts.length > 2 || !parts.every((p) => PORT_NUM.test(p))) return { message: `"${value}" is not a port number or range.`, hint: form };
    [lo, hi] = parts.map((p) => Number(p));
  }
  for (const n of hi === undefined ? [lo] : [lo, hi]) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) return { message: `port ${n > 0 ? `${n} (${hex(n)})` : n} is outside the I/O port space 0..0xffff.`, hint: form };
  }
  if (hi !== undefined) {
    if (hi < lo) return { message: `range "${value}" ends before it starts.`, hint: form };
    const size = hi - lo + 1;
    if (size !== region.size) {
      return {
        message: `range "${value}" covers ${size} port${size === 1 ? '' : 's'}, but region ${region.name} has ${region.size}.`,
        hint: `Write "${fmtRange({ base: lo, size: region.size })}", or just the base ${hex(lo)}.`,
      };
    }
  }
  if (lo + region.size > 0x10000) {
    return { message: `region ${region.name} (${region.size} ports) at ${hex(lo)} runs past 0xffff.`, hint: `Use a base of at most ${hex(0x10000 - region.size)}.` };
  }
  return lo;
}

const ports = (c: PortClaim): string => `${c.size === 1 ? 'port' : 'ports'} ${fmtRange(c)}`;

function claimPos(c: Claim): SourcePos {
  return c.at ? posAt(c.at.src, c.at.path) : posAt(c.device.at.src, c.device.at.path, 'key');
}

/** Report every overlap (PortMap finds them): at the later claim, naming the earlier one. */
function findOverlaps(all: Claim[], errors: ConfigError[]): void {
  let claims = all.slice();
  for (let guard = 0; guard <= all.length; guard++) {
    try {
      new PortMap(claims.map((c) => c.claim));
      return;
    } catch (err) {
      if (err instanceof PortConflictError) {
        const first = claims.find((c) => c.claim === err.first)!;
        const second = claims.find((c) => c.claim === err.second)!;
        claims = claims.filter((c) => c !== second);
        const { device, region } = second.claim;
        const free = freeRange(claims, second.claim.size, first.claim.base + first.claim.size);
        const where = `${displayPos(claimPos(first))}${first.at ? '' : ' (its default base)'}`;
        const message =
          `${ports(second.claim)} of ${device}.${region}${second.at ? '' : ' (default base)'} ${second.claim.size === 1 ? 'overlaps' : 'overlap'} ` +
          `${ports(first.claim)} of ${first.claim.device}.${first.claim.region} (port ${hex(err.port)}), placed at ${where}.`;
        const hint =
          `Two devices cannot answer the same port: move one of them` +
          (free === undefined ? '.' : `, e.g. ports: { ${region}: ${hex(free)} } (${fmtRange({ base: free, size: second.claim.size })} is free).`);
        const keyPath = ['devices', device, 'ports', region];
        errors.push(second.at ? errorAt(second.at, message, hint) : errorAt(second.device.at, message, hint, 'key', keyPath));
      } else if (err instanceof PortRangeError) {
        claims = claims.filter((c) => c.claim !== err.claim); // reported by parsePortValue / checkModule
      } else {
        throw err;
      }
    }
  }
}

/** First base ≥ `from` (wrapping to 0) where `size` ports are all unclaimed. */
function freeRange(claims: readonly Claim[], size: number, from: number): number | undefined {
  const used = new Uint8Array(0x10000);
  for (const { claim } of claims) used.fill(1, claim.base, claim.base + claim.size);
  for (const start of [from, 0]) {
    let run = 0;
    for (let p = start; p < 0x10000; p++) {
      run = used[p] ? 0 : run + 1;
      if (run === size) return p - size + 1;
    }
  }
  return undefined;
}

async function optionsOf(d: MergedDevice, impl: string, mod: DeviceModule<any>, errors: ConfigError[]): Promise<Record<string, unknown> | undefined> {
  const given = d.options?.value ?? {};
  const at: At = d.options?.at ?? { src: d.at.src, path: [...d.at.path, 'options'] };
  const schema = mod.options as
    | { safeParseAsync?: (v: unknown, p?: unknown) => Promise<SafeResult>; safeParse: (v: unknown, p?: unknown) => SafeResult }
    | undefined;
  if (!schema) {
    if (Object.keys(given).length === 0) return {};
    errors.push(errorAt(at, `${impl} takes no options.`, 'Remove the options: block.'));
    return undefined;
  }
  const result = schema.safeParseAsync ? await schema.safeParseAsync(given, zodParseParams) : schema.safeParse(given, zodParseParams);
  if (!result.success) {
    errors.push(...issuesToErrors(at, (result.error?.issues ?? []) as Issue[], schema));
    return undefined;
  }
  // z.object() drops unknown keys silently; a typo in options deserves the same error as elsewhere.
  const stray = strayKeys(schema, given, []);
  for (const path of stray) {
    const key = String(path[path.length - 1]);
    const allowed = objectKeysAt(schema, path.slice(0, -1))?.keys ?? [];
    errors.push(errorAt({ src: at.src, path: [...at.path, ...path] }, `unknown option "${key}".`, `${didYouMean(key, allowed)}Options of ${impl}: ${allowed.join(', ') || 'none'}.`, 'key'));
  }
  if (stray.length > 0) return undefined;
  return (result.data ?? {}) as Record<string, unknown>;
}

interface SafeResult {
  success: boolean;
  data?: unknown;
  error?: { issues: unknown[] };
}

function strayKeys(schema: unknown, value: unknown, path: (string | number)[]): (string | number)[][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const obj = objectKeysAt(schema, path);
  if (!obj) return [];
  const out: (string | number)[][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (!obj.keys.includes(key)) {
      if (obj.strips) out.push([...path, key]);
    } else {
      out.push(...strayKeys(schema, v, [...path, key]));
    }
  }
  return out;
}

/** Default inline: device calls are direct calls on the CPU's thread (ARCHITECTURE.md, placement). */
function placementOf(name: string, value: PlacementValue | undefined): Pick<DeviceSpec, 'placement' | 'worker'> {
  if (value === undefined || value === 'inline') return { placement: 'inline' };
  if (value === 'worker') return { placement: 'worker', worker: name };
  return { placement: 'worker', worker: value.worker };
}

/** on_crash and limits resolved: restart without a budget gets the default one; memory defaults to 512MiB. */
function crashPolicyOf(d: MergedDevice): Pick<DeviceSpec, 'onCrash' | 'restart' | 'limits'> {
  const memory = d.limits?.value.memory;
  const limits = { memoryBytes: memory === undefined ? DEFAULT_MEMORY_LIMIT_BYTES : parseSize(memory) };
  const v = d.on_crash?.value ?? 'halt';
  if (v === 'halt') return { onCrash: 'halt', limits };
  if (v === 'restart') return { onCrash: 'restart', restart: DEFAULT_RESTART_BUDGET, limits };
  const withinNs = v.within === undefined ? DEFAULT_RESTART_BUDGET.withinNs : parseDuration(v.within);
  return { onCrash: 'restart', restart: { max: v.restart, withinNs }, limits };
}
