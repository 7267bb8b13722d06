// Command line of `npm run fuzz` (node dist/tests/fuzz/run.js): which devices, how many operations,
// which seed, how many worker threads. Bad usage is a UsageError: one paragraph, exit status 2.
import { availableParallelism } from 'node:os';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FuzzArgs {
  readonly devices: readonly string[];
  readonly ops: number;
  /** Fixed seed for every device (a replay), or undefined: a fresh one each. */
  readonly seed?: number;
  readonly path?: string;
  readonly jobs: number;
}

export const USAGE = `usage: npm run fuzz -- [--device NAME[,NAME…]] [--ops N] [--seed N] [--path P] [--jobs N]
  --device  devices to fuzz (default: all); repeat or separate with commas
  --ops     operations per device (default 1000000; 1e6 and 1_000_000 are accepted)
  --seed    fast-check seed 0..2147483647, for every device given (a replay); default: a fresh seed each
  --path    fast-check replay path of a failure (with one --device and its --seed): runs that case only
  --jobs    worker threads, one device each at a time (default: the number of CPUs, at most 8)`;

export const DEFAULT_OPS = 1_000_000;

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  const text = (raw ?? '').replace(/_/g, '');
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`npm run fuzz: ${flag} needs an integer from ${min} to ${max}, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}. Write for example \`npm run fuzz -- ${flag} ${min === 0 ? 12345 : Math.min(max, 1000)}\`.`);
  }
  return n;
}

export function parseArgs(argv: readonly string[], known: readonly string[]): FuzzArgs {
  const devices: string[] = [];
  let ops = DEFAULT_OPS;
  let seed: number | undefined;
  let path: string | undefined;
  let jobs = Math.max(1, Math.min(8, availableParallelism()));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--device':
      case '--devices': {
        const v = value();
        if (!v) throw new UsageError(`npm run fuzz: --device needs a device name. Devices: ${known.join(', ')}.`);
        devices.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
        break;
      }
      case '--ops': ops = integer('--ops', value()?.replace(/^1e(\d+)$/, (_m, e: string) => '1' + '0'.repeat(Number(e))), 1, 1e9); break;
      case '--seed': seed = integer('--seed', value(), 0, 0x7fff_ffff); break;
      case '--jobs': jobs = integer('--jobs', value(), 1, 64); break;
      case '--path': {
        const v = value();
        if (!v || !/^\d+(:\d+)*$/.test(v)) throw new UsageError(`npm run fuzz: --path needs a fast-check path such as 12:0:3 (from a failure report), got ${JSON.stringify(v ?? '')}.`);
        path = v;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`npm run fuzz: unknown argument ${JSON.stringify(arg)}. Arguments go after \`--\`: \`npm run fuzz -- --device i8254 --seed 42\`.\n${USAGE}`);
    }
  }
  for (const d of devices) {
    if (!known.includes(d)) throw new UsageError(`npm run fuzz: no device named ${JSON.stringify(d)} (--device). Choose from ${known.join(', ')}.`);
  }
  if (path !== undefined && (devices.length !== 1 || seed === undefined)) {
    throw new UsageError('npm run fuzz: --path replays one failure: give it with exactly one --device and the --seed from the same failure report.');
  }
  return { devices: devices.length ? [...new Set(devices)] : [...known], ops, jobs, ...(seed !== undefined ? { seed } : {}), ...(path !== undefined ? { path } : {}) };
}
