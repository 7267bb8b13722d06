// Device `mmio:` — where each memory-mapped region of a module sits in physical address space.
// Checked here: the region exists, the address is a number, the range lies above installed RAM
// (the CPU looks for MMIO only there: bus/mmio.ts) and below 2^52, and no two ranges overlap.
import type { DeviceModule, MmioRegionSpec } from '../../bus/device.js';
import { fmtMmio, MMIO_LIMIT } from '../../bus/mmio.js';
import { hex } from '../../bus/ports.js';
import { displayPos } from './errors.js';
import type { ConfigError } from './errors.js';
import type { MergedDevice } from './merge.js';
import { type At, errorAt, posAt } from './source.js';
import type { MmioSpec } from './spec.js';
import { didYouMean } from './suggest.js';

export interface MmioPlaced {
  readonly device: string;
  readonly spec: MmioSpec;
  /** The `mmio:` entry that placed it; undefined at the region's default base. */
  readonly at?: At;
  readonly deviceAt: At;
}

const regionList = (regions: readonly MmioRegionSpec[]): string => regions.map((r) => `${r.name} (${fmtMmio(r)})`).join(', ');

/** What is wrong with a module's `mmio` list, if anything (for checkModule). */
export function checkMmioRegions(mod: DeviceModule<any>): string | undefined {
  if (mod.mmio === undefined) return undefined;
  if (!Array.isArray(mod.mmio)) return 'mmio is not a list of regions';
  const names = new Set(mod.regions.map((r) => r.name));
  for (const [i, r] of mod.mmio.entries()) {
    if (!r || typeof r.name !== 'string' || r.name === '') return `mmio[${i}] has no name`;
    if (names.has(r.name)) return `two regions are named "${r.name}"`;
    names.add(r.name);
    if (!Number.isInteger(r.size) || r.size < 1) return `mmio region ${r.name} has size ${r.size}`;
    if (!Number.isInteger(r.base) || r.base < 0 || r.base + r.size > MMIO_LIMIT) return `mmio region ${r.name} has base ${r.base}`;
  }
  return undefined;
}

/** The device's MMIO specs (written base or default), collecting them in `placed`; undefined on error. */
export function mmioOf(d: MergedDevice, mod: DeviceModule<any>, errors: ConfigError[], placed: MmioPlaced[]): MmioSpec[] | undefined {
  const impl = d.impl!.value;
  const regions = mod.mmio ?? [];
  const bases = new Map<string, { base: number; at: At }>();
  let ok = true;
  for (const [rname, value] of Object.entries(d.mmio?.value ?? {})) {
    const at: At = { src: d.mmio!.at.src, path: [...d.mmio!.at.path, rname] };
    const region = regions.find((r) => r.name === rname);
    if (!region) {
      const hint = regions.length
        ? `${didYouMean(rname, regions.map((r) => r.name))}Memory-mapped regions of ${impl}: ${regionList(regions)}.`
        : `${impl} has no memory-mapped regions; remove the mmio: entry (port regions go under ports:).`;
      errors.push(errorAt(at, `${impl} has no memory-mapped region "${rname}".`, hint, 'key'));
      ok = false;
      continue;
    }
    const base = typeof value === 'number' ? value : Number(value.trim());
    if (!Number.isInteger(base) || base < 0 || base + region.size > MMIO_LIMIT) {
      errors.push(errorAt(at, `${JSON.stringify(value)} is not a physical address for region ${rname} (${region.size} bytes).`, `Write a base such as ${hex(region.base)} (below 2^52).`));
      ok = false;
      continue;
    }
    bases.set(rname, { base, at });
  }
  if (!ok) return undefined;
  return regions.map((region, mmioIndex) => {
    const given = bases.get(region.name);
    const spec: MmioSpec = { region: region.name, mmioIndex, base: given?.base ?? region.base, size: region.size };
    placed.push({ device: d.name, spec, at: given?.at, deviceAt: d.at });
    return spec;
  });
}

const where = (p: MmioPlaced): At => p.at ?? { src: p.deviceAt.src, path: [...p.deviceAt.path] };

/** Every range above RAM (`ramBytes`), none overlapping another: errors at the later one. */
export function checkMmioPlacement(placed: readonly MmioPlaced[], ramBytes: number | undefined, errors: ConfigError[]): void {
  const kept: MmioPlaced[] = [];
  for (const p of placed) {
    const { base, size, region } = p.spec;
    const name = `${p.device}.${region}`;
    if (ramBytes !== undefined && base < ramBytes) {
      errors.push(
        errorAt(
          where(p),
          `MMIO ${fmtMmio(p.spec)} of ${name}${p.at ? '' : ' (default base)'} lies inside installed RAM (0x0-${hex(ramBytes - 1)}).`,
          `Memory-mapped regions sit above RAM: lower memory: to at most ${hex(Math.floor(base / 4096) * 4096)} bytes, or move the region with mmio: { ${region}: ADDRESS }.`,
          p.at ? 'value' : 'key',
        ),
      );
      continue;
    }
    const other = kept.find((k) => base < k.spec.base + k.spec.size && k.spec.base < base + size);
    if (other) {
      errors.push(
        errorAt(
          where(p),
          `MMIO ${fmtMmio(p.spec)} of ${name} overlaps ${fmtMmio(other.spec)} of ${other.device}.${other.spec.region}, placed at ${displayPos(posAt(where(other).src, where(other).path, other.at ? 'value' : 'key'))}.`,
          `Two devices cannot answer the same address: move one of them with mmio: { ${region}: ADDRESS }.`,
          p.at ? 'value' : 'key',
        ),
      );
      continue;
    }
    kept.push(p);
  }
}
