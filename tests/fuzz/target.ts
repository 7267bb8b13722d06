// A fuzz target: one device module with what makes its traffic interesting (values worth writing
// per port, init sequences a guest starts with, host-side events, time scales), and the
// fast-check arbitrary of one fuzz case built from it.
import fc from 'fast-check';
import type { AccessSize, DeviceModule, Level } from '../../bus/device.js';
import { portSlots, type Op, type PortSlot } from './ops.js';

export interface FuzzTarget {
  /** Name on the command line and in reports, e.g. "i8259-slave". */
  readonly name: string;
  readonly module: DeviceModule<any>;
  /** Region name → first port (default: the module's bases). */
  readonly bases?: Readonly<Record<string, number>>;
  /** Options as create() receives them (already parsed: every field present). */
  readonly options: fc.Arbitrary<unknown>;
  /** Bytes worth writing per port, besides uniformly random ones. */
  readonly values?: Readonly<Record<number, readonly number[]>>;
  /** Sequences a guest commonly starts with (programming the chip); one may open a case. */
  readonly prologues?: ReadonlyArray<readonly Op[]>;
  /** Host-side operations besides port traffic and time: pins, INTA, keys, serial bytes, memory stores. */
  readonly extra?: ReadonlyArray<fc.WeightedArbitrary<Op>>;
  readonly weights?: { readonly read?: number; readonly write?: number; readonly wait?: number };
  /** How far time moves in one `wait` (ns). */
  readonly waitNs?: fc.Arbitrary<number>;
  /** Memory sizes to run with (a scanning device meets a machine with less RAM than it scans). */
  readonly memorySizes?: readonly number[];
  /** Physical ranges [from, to) zeroed before each case (what the device reads). */
  readonly memoryClear?: ReadonlyArray<readonly [number, number]>;
  /** Event channels a restored core may legitimately publish differently (VGA: a full frame). */
  readonly ignoredChannels?: readonly string[];
  /** Longest case (operations). */
  readonly maxOps?: number;
}

export interface FuzzCase {
  readonly options: unknown;
  /** Machine time at which the core is created (a machine reset re-creates cores later in time). */
  readonly t0: number;
  readonly memory: number;
  readonly prologue: readonly Op[];
  /** After the prologue; `snapshot` operations among them are the restore points. */
  readonly ops: readonly Op[];
}

export const DEFAULT_MEMORY = 1 << 20;
export const DEFAULT_MAX_OPS = 300;

export const byte = fc.integer({ min: 0, max: 0xff });
export const level = fc.constantFrom<Level>(0, 1);

/** Time steps: a few clocks, microseconds, milliseconds, up to seconds. */
export const defaultWaits = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 2_000_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5_000_000_000 }) },
);

export function slotMap(target: FuzzTarget): Map<number, PortSlot> {
  return new Map(portSlots(target.module, target.bases).map((s) => [s.port, s]));
}

/** A byte for `port`: uniformly random, or one of the target's interesting values. */
function byteFor(target: FuzzTarget, port: number): fc.Arbitrary<number> {
  const values = target.values?.[port];
  return values?.length ? fc.oneof({ weight: 1, arbitrary: byte }, { weight: 2, arbitrary: fc.constantFrom(...values) }) : byte;
}

/**
 * A value for a `size`-byte access at `port`: little-endian bytes, each chosen as for the port it
 * lands on (a 16-bit `out 0x3D4` is index then data), or any value of the width.
 */
function valueFor(target: FuzzTarget, port: number, size: AccessSize): fc.Arbitrary<number> {
  if (size === 1) return byteFor(target, port);
  const parts = Array.from({ length: size }, (_, i) => byteFor(target, port + i));
  const composed = fc.tuple(...parts).map((bytes) => bytes.reduce((v, b, i) => v + b * 2 ** (8 * i), 0));
  return fc.oneof(composed, fc.integer({ min: 0, max: 2 ** (8 * size) - 1 }));
}

export function opArbitrary(target: FuzzTarget): fc.Arbitrary<Op> {
  const accesses = portSlots(target.module, target.bases).flatMap((s) => s.sizes.map((size) => ({ port: s.port, size })));
  const reads = fc.constantFrom(...accesses).map(({ port, size }): Op => ({ k: 'in', port, size }));
  const writes = fc.oneof(
    ...accesses.map(({ port, size }) => valueFor(target, port, size).map((value): Op => ({ k: 'out', port, size, value }))),
  );
  const waits = fc
    .record({ ns: target.waitNs ?? defaultWaits, late: fc.boolean() })
    .map(({ ns, late }): Op => ({ k: 'wait', ns, late }));
  const w = target.weights ?? {};
  const traffic = fc.oneof(
    { weight: w.write ?? 5, arbitrary: writes },
    { weight: w.read ?? 4, arbitrary: reads },
    { weight: w.wait ?? 2, arbitrary: waits },
    ...(target.extra ?? []),
  );
  // About one restore point per 100 operations: a case of average length has one or two.
  return fc.oneof({ weight: 99, arbitrary: traffic }, { weight: 1, arbitrary: fc.constant<Op>({ k: 'snapshot' }) });
}

export function caseArbitrary(target: FuzzTarget): fc.Arbitrary<FuzzCase> {
  return fc.record({
    options: target.options,
    // Up to ~12 days of machine time: clocks that count edges must stay exact that far out.
    t0: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1e12 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1e15 }) },
    ),
    memory: fc.constantFrom(...(target.memorySizes ?? [DEFAULT_MEMORY])),
    prologue: fc.constantFrom<readonly Op[]>([], ...(target.prologues ?? [])),
    // size 'max': lengths spread over the whole range (fast-check would otherwise keep them near 10).
    ops: fc.array(opArbitrary(target), { maxLength: target.maxOps ?? DEFAULT_MAX_OPS, size: 'max' }),
  });
}

// ---- host-side operations the targets share --------------------------------------------------

export function pinOps(count: number, weight: number): fc.WeightedArbitrary<Op> {
  return {
    weight,
    arbitrary: fc.record({ pin: fc.integer({ min: 0, max: count - 1 }), level }).map(({ pin, level: l }): Op => ({ k: 'pin', pin, level: l })),
  };
}

export const intaOps = (weight: number): fc.WeightedArbitrary<Op> => ({ weight, arbitrary: fc.constant<Op>({ k: 'inta' }) });
export const flushOps = (weight: number): fc.WeightedArbitrary<Op> => ({ weight, arbitrary: fc.constant<Op>({ k: 'flush' }) });

/** Input delays: now, soon, later. */
export const inputDelay = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 50_000_000 }));

export function keyOps(keys: readonly string[], weight: number): fc.WeightedArbitrary<Op> {
  // Mostly real key names; now and then one the model does not know.
  const key = fc.oneof({ weight: 19, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom('', 'Hyper', 'a', 'KeyA', '\u0000') });
  return {
    weight,
    arbitrary: fc.record({ key, down: fc.boolean(), delay: inputDelay }).map((r): Op => ({ k: 'key', ...r })),
  };
}

export function serialOps(weight: number): fc.WeightedArbitrary<Op> {
  return {
    weight,
    arbitrary: fc.record({ bytes: fc.array(byte, { maxLength: 24 }), delay: inputDelay }).map((r): Op => ({ k: 'serial', ...r })),
  };
}

/** Guest stores of 1..32 bytes at an address in one of `ranges` [from, to). */
export function pokeOps(ranges: ReadonlyArray<readonly [number, number]>, weight: number): fc.WeightedArbitrary<Op> {
  const addr = fc.oneof(...ranges.map(([from, to]) => fc.integer({ min: from, max: to - 1 })));
  return {
    weight,
    arbitrary: fc.record({ addr, bytes: fc.array(byte, { minLength: 1, maxLength: 32 }) }).map((r): Op => ({ k: 'poke', ...r })),
  };
}
