// loadMachine: a machine YAML file (and what it extends) → MachineSpec, or ConfigErrors listing
// every mistake found, each at its file:line:column with a fix. Nothing starts before this passes.
import { basename, extname, resolve } from 'node:path';
import { ConfigError, ConfigErrors, formatConfigError } from './errors.js';
import { type ModuleCache, resolveDevices } from './devices.js';
import { type Issue, issuesToErrors, zodParseParams } from './issues.js';
import { KERNEL_MAINS, kernelScenarios } from './kernels.js';
import { didYouMean } from './suggest.js';
import { type LoadContext, type Merged, applyLayer, loadChain } from './merge.js';
import { type MachineFile, machineFileSchema } from './schema.js';
import { errorAt, objectSource } from './source.js';
import type { MachineSpec } from './spec.js';
import { parseDuration, parseSize } from './units.js';
import { DEFAULT_TIME_COSTS, TIME_COST_KEYS, type TimeCosts } from '../../bus/clock.js';

/** How long a device may take to answer one request (host time) before it is reported hung. */
export const DEFAULT_WATCHDOG_MS = 10_000;
import { resolveWires } from './wires.js';

export interface LoadOptions {
  /** Accepted `kernel.main` values (default KERNEL_MAINS). */
  readonly kernelMains?: readonly string[];
  /** Names the overrides in errors (default "command line"). */
  readonly overridesLabel?: string;
  /** Folder that relative paths in overrides (impl:) resolve against (default: the working folder). */
  readonly overridesDir?: string;
}

/**
 * Load and check a machine file. `overrides` is one more layer shaped like a machine file (no
 * `extends`), applied last: e.g. { memory: '256MiB', time: { mode: 'virtual' } } from the CLI.
 * Throws ConfigErrors (every error, in file order) when anything is wrong.
 */
export async function loadMachine(file: string, overrides?: MachineFile, options: LoadOptions = {}): Promise<MachineSpec> {
  const abs = resolve(file);
  const kernelMains = options.kernelMains ?? KERNEL_MAINS;
  const ctx: LoadContext = { schema: machineFileSchema(kernelMains), errors: [], files: [] };
  const merged = loadChain(abs, ctx);
  if (overrides) applyOverrides(merged, overrides, options, ctx);

  const spec = await finish(abs, merged, ctx, kernelMains);
  if (ctx.errors.length > 0 || !spec) throw new ConfigErrors(abs, sortErrors(ctx.errors, ctx.files));
  return spec;
}

function applyOverrides(m: Merged, overrides: MachineFile, options: LoadOptions, ctx: LoadContext): void {
  const label = options.overridesLabel ?? 'command line';
  const src = objectSource(label, options.overridesDir ?? process.cwd(), overrides);
  if ('extends' in overrides) {
    ctx.errors.push(errorAt({ src, path: ['extends'] }, 'extends cannot be overridden.', 'Name the base file in the machine file itself.'));
    return;
  }
  const parsed = ctx.schema.safeParse(overrides, zodParseParams);
  if (!parsed.success) {
    ctx.errors.push(...issuesToErrors({ src, path: [] }, parsed.error.issues as Issue[], ctx.schema));
    return;
  }
  applyLayer(m, src, overrides as Record<string, unknown>, () => true, ctx, true);
}

async function finish(abs: string, m: Merged, ctx: LoadContext, kernelMains: readonly string[]): Promise<MachineSpec | undefined> {
  const errors = ctx.errors;
  const root = m.root;
  if (root && !m.incomplete) {
    const viaBase = root.doc.has('extends') ? ' (here or in the file it extends)' : '';
    if (!m.memory && !m.rejected.has('memory')) {
      errors.push(errorAt({ src: root, path: ['memory'] }, 'no memory size given.', `Add a line such as memory: 128MiB${viaBase}; 1MiB to 4GiB.`, 'key'));
    }
    if (!m.main && !m.rejected.has('kernel.main')) {
      errors.push(
        errorAt({ src: root, path: ['kernel', 'main'] }, 'no kernel entry given.', `Add kernel: { main: ${kernelMains[0]} }${viaBase}; one of: ${kernelMains.join(', ')}.`, 'key'),
      );
    }
  }
  if (m.main && m.scenario && !kernelScenarios(m.main.value).includes(m.scenario.value)) {
    const known = kernelScenarios(m.main.value);
    errors.push(
      errorAt(
        m.scenario.at,
        `kernel ${m.main.value} has no scenario "${m.scenario.value}".`,
        known.length
          ? `${didYouMean(m.scenario.value, known)}Scenarios of ${m.main.value}: ${known.join(', ')}.`
          : `${m.main.value} has no scenarios; remove kernel.scenario.`,
      ),
    );
  }
  const cache: ModuleCache = new Map();
  const devices = await resolveDevices(m, errors, cache);
  const wires = resolveWires(m, devices, errors);
  if (errors.length > 0 || !m.memory || !m.main) return undefined;

  const ext = extname(abs);
  return {
    file: abs,
    name: m.name?.value ?? basename(abs, ext === '.yaml' || ext === '.yml' ? ext : ''),
    memoryBytes: parseSize(m.memory.value),
    time: { mode: m.mode?.value ?? 'realtime', idle: m.idle?.value ?? 'adaptive', costs: timeCosts(m) },
    noReboot: m.noReboot?.value ?? false,
    watchdogMs: m.watchdog ? parseDuration(m.watchdog.value) / 1e6 : DEFAULT_WATCHDOG_MS,
    kernel: { main: m.main.value, ...(m.scenario ? { scenario: m.scenario.value } : {}), ...(m.allocator ? { allocator: m.allocator.value } : {}), ...(m.timeslice ? { timesliceNs: parseDuration(m.timeslice.value) } : {}) },
    cpu: { threads: m.threads?.value ?? 0 },
    devices: [...devices.values()].map((d) => d.spec),
    wires,
  };
}

/** time.costs over the defaults; ns_per_instruction is the older spelling of costs.instruction. */
function timeCosts(m: Merged): TimeCosts {
  const costs: Record<keyof TimeCosts, number> = { ...DEFAULT_TIME_COSTS };
  if (m.nsPerInstruction) costs.instruction = m.nsPerInstruction.value;
  for (const key of TIME_COST_KEYS) {
    const written = m.costs?.[key];
    if (written) costs[key] = parseDuration(String(written.value));
  }
  return costs;
}

/** File order: the files in the order read (the given file first), then line, column. */
function sortErrors(errors: readonly ConfigError[], files: readonly string[]): ConfigError[] {
  const rank = (f: string): number => (files.includes(f) ? files.indexOf(f) : files.length);
  const seen = new Set<string>();
  return errors
    .filter((e) => {
      const text = formatConfigError(e);
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    })
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e.file) - rank(b.e.file) || a.e.line - b.e.line || a.e.column - b.e.column || a.i - b.i)
    .map(({ e }) => e);
}

export { ConfigError, ConfigErrors };
