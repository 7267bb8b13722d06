// The fuzzer against cores with one planted bug each: every invariant it claims to check must
// catch its bug, shrink the case to the few operations that matter, and say how to replay it.
// Also the command line's handling of bad arguments.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { defineDevice, type DeviceContext, type DeviceCore, type DeviceState, type Level } from '../../bus/device.js';
import { parseArgs, UsageError } from './args.js';
import { failureReport, runCampaign } from './campaign.js';
import { TARGETS } from './devices.js';
import type { FuzzTarget } from './target.js';

type Bug = 'read-range' | 'throw' | 'level' | 'stuck-deadline' | 'restore-drops' | 'snapshot-omits' | 'not-json' | 'none';

/** A 2-port toy: port 0 selects a register, port 1 reads/writes it; a timer raises `irq` when due. */
class Toy implements DeviceCore {
  private index = 0;
  private regs = [0, 0, 0, 0];
  private due = Infinity;
  constructor(private readonly ctx: DeviceContext, private readonly bug: Bug) {}
  read(_region: number, offset: number): number {
    if (offset === 0) return this.index;
    if (this.bug === 'read-range' && this.regs[this.index] === 0x42) return 0x100;
    return this.regs[this.index];
  }
  write(_region: number, offset: number, _size: number, value: number): void {
    if (offset === 0) { this.index = value & 3; return; }
    if (this.bug === 'throw' && value === 0x99) throw new TypeError('planted');
    if (this.bug === 'level' && value === 0x77) this.ctx.setOutput(0, 2 as Level);
    this.regs[this.index] = value;
    if (this.index === 3) this.due = this.ctx.now() + value * 1000;
  }
  nextDeadline(): number { return this.due; }
  advance(): void {
    if (this.ctx.now() < this.due) return;
    this.ctx.setOutput(0, 1);
    if (this.bug === 'stuck-deadline' && this.regs[3] === 0x55) return; // forgets to move on
    this.due = Infinity;
  }
  snapshot(): DeviceState {
    const s = { version: 1, index: this.index, regs: [...this.regs], due: this.due === Infinity ? null : this.due };
    if (this.bug === 'snapshot-omits') return { ...s, due: null }; // a pending timer is lost
    return this.bug === 'not-json' ? { ...s, regs: Uint8Array.from(this.regs) } : s;
  }
  restore(state: DeviceState): void {
    this.index = state.index as number;
    this.regs = [...(state.regs as number[])];
    if (this.bug === 'restore-drops') this.regs[2] = 0;
    this.due = (state.due as number | null) ?? Infinity;
  }
}

function toy(bug: Bug): FuzzTarget {
  return {
    name: `toy-${bug}`,
    module: defineDevice<Record<string, never>>({
      kind: 'toy',
      title: 'a device with a planted bug',
      regions: [{ name: 'io', base: 0x100, size: 2 }],
      outputs: ['irq'],
      create: (ctx) => new Toy(ctx, bug),
    }),
    options: fc.constant({}),
    values: { 0x100: [0, 1, 2, 3], 0x101: [0x42, 0x99, 0x77, 0x55, 0x01] },
    maxOps: 40,
  };
}

/** The operations line of a failure's counterexample, split into operations. */
function shrunkOps(report: string): string[] {
  const line = report.split('\n').find((l) => l.trim().startsWith('operations:')) ?? '';
  return line.replace(/^\s*operations:\s*/, '').split('; ').filter((op) => op && op !== '(none)');
}

describe('the fuzzer catches a planted bug of each kind and shrinks it', () => {
  const cases: Array<[Bug, RegExp, number]> = [
    ['read-range', /read returned 256, outside 0\.\.255/, 3],
    ['throw', /threw TypeError: planted/, 2],
    ['level', /setOutput\(0, 2\): an output level is 0 or 1/, 2],
    ['stuck-deadline', /after advance\(\) at t=\d+ the next deadline is \d+, not after t/, 4],
    ['restore-drops', /restore\(snapshot\(\)\) gives a different snapshot/, 3],
    // The snapshot itself round-trips; the restored core then behaves differently.
    ['snapshot-omits', /the restored core differs from the original: .*(next deadline|output levels)/, 3],
    ['not-json', /not JSON-able at \$\.regs: a Uint8Array object/, 0],
  ];
  for (const [bug, message, most] of cases) {
    it(`${bug}: reported with the broken invariant, at most ${most} operations, and a replay command`, () => {
      const result = runCampaign(toy(bug), { ops: 200_000, seed: 7 });
      expect(result.failure, 'the planted bug went unnoticed').toBeDefined();
      const report = failureReport(result);
      expect(report).toMatch(message);
      expect(shrunkOps(report).length).toBeLessThanOrEqual(most);
      expect(report).toContain(`npm run fuzz -- --device toy-${bug} --seed ${result.failure!.seed}`);
      // The replay command's seed and path give the same failure again.
      const again = runCampaign(toy(bug), { ops: 1, seed: result.failure!.seed, path: result.failure!.path });
      expect(again.failure?.error.split('\n')[0]).toBe(result.failure!.error.split('\n')[0]);
    });
  }

  it('a correct core passes the same campaign', () => {
    const result = runCampaign(toy('none'), { ops: 20_000, seed: 7 });
    expect(result.failure, failureReport(result)).toBeUndefined();
    expect(result.ops).toBeGreaterThanOrEqual(20_000);
    expect(result.changes).toBeGreaterThan(0);
  });
});

describe('npm run fuzz arguments', () => {
  const known = TARGETS.map((t) => t.name);

  it('defaults to every device, 10^6 operations each, a fresh seed', () => {
    const args = parseArgs([], known);
    expect(args.devices).toEqual(known);
    expect(args.ops).toBe(1_000_000);
    expect(args.seed).toBeUndefined();
  });

  it('takes devices by name (repeated or comma-separated), a seed, a path and an operation count', () => {
    const args = parseArgs(['--device', 'i8254,vga', '--device=rtc', '--seed', '42', '--ops', '1e4'], known);
    expect(args.devices).toEqual(['i8254', 'vga', 'rtc']);
    expect(args.seed).toBe(42);
    expect(args.ops).toBe(10_000);
    expect(parseArgs(['--device', 'vga', '--seed', '1', '--path', '3:0:1'], known).path).toBe('3:0:1');
  });

  it('rejects an unknown device, a bad seed, a path without its seed, stray words, naming the fix', () => {
    const usage = (argv: string[]): string => {
      try {
        parseArgs(argv, known);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(usage(['--device', 'pic'])).toMatch(/no device named "pic".*Choose from i8259-master, i8259-slave/);
    expect(usage(['--seed', '-1'])).toMatch(/--seed needs an integer from 0 to 2147483647/);
    expect(usage(['--seed', 'abc'])).toMatch(/--seed needs an integer/);
    expect(usage(['--device', 'vga', '--path', '1:2'])).toMatch(/--path replays one failure/);
    expect(usage(['vga'])).toMatch(/unknown argument "vga".*npm run fuzz -- --device/);
  });
});
