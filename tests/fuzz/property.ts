// One fuzz case against one device: power on, apply the operations with the invariants of lane.ts
// checked after each. At each `snapshot` operation (and at the end, if there was none) the core's
// snapshot goes through JSON into a fresh core, which must give the same snapshot back; from
// then on both cores get the same operations and must show the same thing: values read, INTA
// answers, output levels, deadlines, events and exit requests, and the same snapshot at the end.
import { PhysicalMemory } from '../../bus/memory.js';
import { FuzzViolation, Lane, type Observation } from './lane.js';
import { formatOp, type Op, type PortSlot } from './ops.js';
import { canonical, firstDifference, nonJson } from './snapshot.js';
import { slotMap, type FuzzCase, type FuzzTarget } from './target.js';

/** Per-target things built once: the port map, memories by size. */
interface Prepared {
  readonly slots: ReadonlyMap<number, PortSlot>;
  readonly memories: Map<number, PhysicalMemory>;
}

const prepared = new WeakMap<FuzzTarget, Prepared>();

function prepare(target: FuzzTarget): Prepared {
  let p = prepared.get(target);
  if (!p) {
    p = { slots: slotMap(target), memories: new Map() };
    prepared.set(target, p);
  }
  return p;
}

function memoryFor(target: FuzzTarget, p: Prepared, size: number): PhysicalMemory {
  let mem = p.memories.get(size);
  if (!mem) {
    mem = PhysicalMemory.allocate(size);
    p.memories.set(size, mem);
  }
  // Each case starts from the same memory, or a counterexample would depend on the cases before it.
  for (const [from, to] of target.memoryClear ?? []) mem.bytes.fill(0, Math.min(from, mem.size), Math.min(to, mem.size));
  return mem;
}

/** Counters a campaign reports: operations applied, trace kinds seen. */
export interface CaseStats {
  ops: number;
  /** Output level changes. */
  changes: number;
  kinds: Map<string, number>;
}

export function newStats(): CaseStats {
  return { ops: 0, changes: 0, kinds: new Map() };
}

/**
 * Run one case; throws FuzzViolation (or the core's own error, wrapped) on the first broken
 * invariant. With `log`, writes a transcript: each operation, what it returned, the levels after.
 */
export function runCase(target: FuzzTarget, c: FuzzCase, stats?: CaseStats, log?: string[]): void {
  const p = prepare(target);
  const memory = memoryFor(target, p, c.memory);
  const ops: readonly Op[] = c.prologue.length ? [...c.prologue, ...c.ops] : c.ops;
  const inputs = target.module.inputs ?? [];

  const a = new Lane(target.name, target.module, c.options, memory, p.slots, c.t0, undefined, target.ignoredChannels);
  a.ctx.log = log;
  /** The core restored at the latest restore point. */
  let b: Lane | undefined;
  try {
    const first = a.prime();
    log?.push(`   power on at t=${c.t0}: levels [${a.ctx.levels.join(',')}], deadline ${first}`);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      log?.push(`   #${i} ${formatOp(op, inputs)}`);
      if (op.k === 'snapshot') {
        if (b) sameSnapshot(target, `at restore point #${i}`, a, b);
        b = restored(target, c, a, memory, p.slots, `#${i}`);
        log?.push('        (restored into a fresh core: both get what follows)');
        continue;
      }
      store(memory, op);
      const seen = a.step(op, i);
      log?.push(result(seen));
      if (b) compare(target, () => `op #${i} (${formatOp(op, inputs)}) after the restore`, seen, b.step(op, i));
    }
    if (b) {
      sameSnapshot(target, 'at the end', a, b);
    } else {
      restored(target, c, a, memory, p.slots, 'at the end');
    }
  } finally {
    if (stats) {
      stats.ops += a.ops;
      stats.changes += a.ctx.changes;
      for (const [k, n] of a.ctx.kinds) stats.kinds.set(k, (stats.kinds.get(k) ?? 0) + n);
    }
  }
}

/**
 * The restore point: `a`'s snapshot, through JSON, into a fresh core made as `a` was (at t0, from
 * the same options) while the wires keep `a`'s levels. Same snapshot back, same outside view.
 */
function restored(target: FuzzTarget, c: FuzzCase, a: Lane, memory: PhysicalMemory, slots: ReadonlyMap<number, PortSlot>, point: string): Lane {
  const where = `snapshot ${point}`;
  const snap = a.call(where, () => a.core.snapshot());
  const bad = nonJson(snap);
  if (bad) throw new FuzzViolation(`${target.name} ${where}: not JSON-able at ${bad}`);
  const json = canonical(snap);
  const b = new Lane(`${target.name} (restored)`, target.module, c.options, memory, slots, c.t0, a.ctx.levels, target.ignoredChannels);
  b.ctx.t = a.ctx.t;
  b.call(`restore (${where})`, () => b.core.restore(JSON.parse(json)));
  const again = canonical(b.call(`snapshot of the restored core (${where})`, () => b.core.snapshot()));
  if (again !== json) {
    throw new FuzzViolation(`${target.name} ${where}: restore(snapshot()) gives a different snapshot: ${firstDifference(json, again)}`);
  }
  compare(target, () => `restore (${where})`, observe(a, where), observe(b, where));
  return b;
}

/** After the same operations, the restored core's snapshot is the original's. */
function sameSnapshot(target: FuzzTarget, where: string, a: Lane, b: Lane): void {
  const sa = canonical(a.call(`snapshot ${where}`, () => a.core.snapshot()));
  const sb = canonical(b.call(`snapshot ${where}`, () => b.core.snapshot()));
  if (sa !== sb) {
    throw new FuzzViolation(`${target.name} ${where}: after the same operations the restored core's snapshot differs: ${firstDifference(sa, sb)}`);
  }
}

function store(memory: PhysicalMemory, op: Op): void {
  if (op.k !== 'poke') return;
  op.bytes.forEach((b, i) => {
    if (op.addr + i < memory.size) memory.bytes[op.addr + i] = b;
  });
}

/** The outside view right after a restore (what the fresh core did while made and restored is its own). */
function observe(lane: Lane, where: string): Observation {
  lane.takeEdges();
  lane.takeEffects();
  return { value: null, levels: [...lane.ctx.levels], edges: '', deadline: lane.deadline(where), t: lane.ctx.t, effects: '' };
}

function compare(target: FuzzTarget, where: () => string, a: Observation, b: Observation): void {
  const diff: string[] = [];
  if (a.value !== b.value) diff.push(`value ${String(a.value)} vs ${String(b.value)}`);
  if (a.edges !== b.edges) diff.push(`output changes [${a.edges}] vs [${b.edges}]`);
  if (a.levels.length !== b.levels.length || a.levels.some((l, i) => l !== b.levels[i])) diff.push(`output levels [${a.levels.join(',')}] vs [${b.levels.join(',')}]`);
  if (a.deadline !== b.deadline) diff.push(`next deadline ${a.deadline} vs ${b.deadline}`);
  if (a.t !== b.t) diff.push(`time ${a.t} vs ${b.t}`);
  if (a.effects !== b.effects) diff.push(`events/effects ${a.effects || 'none'} vs ${b.effects || 'none'}`);
  if (diff.length) throw new FuzzViolation(`${target.name} ${where()}: the restored core differs from the original: ${diff.join('; ')}`);
}

function result(seen: Observation): string {
  const value = seen.value === null ? '' : `-> 0x${seen.value.toString(16)} `;
  const edges = seen.edges ? ` changes ${seen.edges}` : '';
  return `        ${value}[t=${seen.t} levels ${seen.levels.join(',')}${edges} deadline ${seen.deadline}]${seen.effects ? ` ${seen.effects}` : ''}`;
}
