// The blog's posts 05–07 and their pitfalls, booted as whole machines in virtual time.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const SECOND = 1e9;

function kernel(main: string, scenario?: string, extra: Partial<MachineSpec> = {}) {
  return (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { main, ...(scenario ? { scenario } : {}) }, ...extra });
}

const of = (traces: TraceRecord[], kind: string, pred: (r: TraceRecord) => boolean = () => true) =>
  traces.filter((r) => r.kind === kind && pred(r));

describe('post 07: hardware interrupts', () => {
  it('5 s of machine time give 91 ± 1 timer interrupts, as many EOIs, and a dot for each', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: kernel('post-07'), stopAt: 5 * SECOND, stopReason: 'for' });
    const ticks = of(run.traces, 'cpu.int', (r) => r.vector === 32).length;
    const eois = of(run.traces, 'pic.eoi', (r) => r.chip === 'pic1' && r.irq === 0).length;
    expect(Math.abs(ticks - 91)).toBeLessThanOrEqual(1);
    expect(eois).toBe(ticks);
    const dots = run.screen.text().split('').filter((c) => c === '.').length;
    expect(dots).toBe(ticks);
    expect(run.screen.text()).toContain('Hello World!\nIt did not crash!\n....');
  });

  it('one timer tick shows the whole chain: PIT OUT0 ↑ → IRR → INTR → INTA → vector 32 → handler → EOI', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: kernel('post-07'), stopAt: 0.06 * SECOND, stopReason: 'for' });
    const rise = run.traces.findIndex((r) => r.kind === 'irq.level' && r.line === 'pic1.ir0' && r.state === 1 && r.t > 1e6);
    const chain = run.traces.slice(rise).map((r) => `${r.kind}${r.kind === 'irq.level' ? ' ' + String(r.line) + '=' + String(r.state) : ''}`);
    const want = ['irq.level pic1.ir0=1', 'pic.intr', 'irq.level cpu.intr=1', 'cpu.inta', 'cpu.int', 'io.write', 'pic.eoi'];
    let at = 0;
    for (const step of chain) if (step === want[at]) at++;
    expect(at).toBe(want.length);
    const int = run.traces.slice(rise).find((r) => r.kind === 'cpu.int')!;
    expect(int).toMatchObject({ vector: 32, handler: 'blog_os::interrupts::timer_interrupt_handler' });
  });

  it('missing-eoi: the handler never acknowledges, so exactly one dot appears', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: kernel('post-07', 'missing-eoi'), stopAt: 2 * SECOND, stopReason: 'for' });
    expect(run.screen.text().split('').filter((c) => c === '.')).toHaveLength(1);
    expect(of(run.traces, 'cpu.int', (r) => r.vector === 32)).toHaveLength(1);
  });

  it('no-timer-handler: the first tick after sti finds no gate → #NP → #NP → double fault panic', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: kernel('post-07', 'no-timer-handler'), stopAt: 1 * SECOND, stopReason: 'for' });
    expect(run.screen.text()).toMatch(/It did not crash!\npanicked at src\/interrupts.rs:\d+:\d+:\nEXCEPTION: DOUBLE FAULT\nInterruptStackFrame \{/);
    expect(of(run.traces, 'cpu.exception').map((r) => r.vector)).toEqual([11, 11]);
    expect(of(run.traces, 'cpu.double_fault')).toHaveLength(1);
  });

  it('print-deadlock: rows of hyphens, no dots, then a frozen machine reported as a deadlock', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: kernel('post-07', 'print-deadlock') });
    const text = run.screen.text();
    expect(text).toContain('-'.repeat(80));
    expect(text).not.toContain('.');
    expect(of(run.traces, 'cpu.deadlock')).toHaveLength(1);
    expect(of(run.traces, 'cpu.int', (r) => r.vector === 32)).toHaveLength(1);
  });
});

describe('post 05: CPU exceptions', () => {
  it('int3 prints EXCEPTION: BREAKPOINT and the frame, then execution resumes: "It did not crash!"', async () => {
    const run = await runMachine(configPath('posts/post-05.yaml'), { trace: true, spec: kernel('post-05') });
    const text = run.screen.text();
    expect(text).toMatch(/Hello World!\nEXCEPTION: BREAKPOINT\nInterruptStackFrame \{\n {4}instruction_pointer: VirtAddr\(\n {8}0x2[0-9a-f]+,\n {4}\),\n {4}code_segment: SegmentSelector \{\n {8}index: 1,\n {8}rpl: Ring0,\n {4}\},\n {4}cpu_flags: RFlags\(\n {8}0x2,\n {4}\),/);
    expect(text).toContain('}\nIt did not crash!');
    expect(of(run.traces, 'cpu.int', (r) => r.vector === 3)[0].handler).toBe('blog_os::interrupts::breakpoint_handler');
  });
});

describe('post 06: double faults', () => {
  it('page-fault: a write to 0xdeadbeef has no #PF handler, so the double-fault handler panics', async () => {
    const run = await runMachine(configPath('posts/post-06.yaml'), { trace: true, spec: kernel('post-06', 'page-fault') });
    expect(run.screen.text()).toContain('EXCEPTION: DOUBLE FAULT');
    expect(run.screen.text()).not.toContain('It did not crash!');
    expect(of(run.traces, 'cpu.exception')[0]).toMatchObject({ vector: 14, cr2: 0xdeadbeef, error_code: 2 });
  });

  it('stack-overflow: the guard page faults, the #PF frame cannot be pushed, and the double fault runs on IST1', async () => {
    const run = await runMachine(configPath('posts/post-06.yaml'), { trace: true, spec: kernel('post-06', 'stack-overflow') });
    expect(run.screen.text()).toContain('EXCEPTION: DOUBLE FAULT');
    const df = of(run.traces, 'cpu.int', (r) => r.vector === 8);
    expect(df).toHaveLength(1);
    expect(df[0].ist).toBe(1);
    expect((df[0].rsp as number) % 16).toBe(0);
    expect(of(run.traces, 'cpu.triple_fault')).toHaveLength(0);
  });

  it('no-double-fault-handler: #PF → #NP → #DF → #NP → triple fault; with no_reboot the machine exits 0', async () => {
    const run = await runMachine(configPath('posts/post-06.yaml'), { trace: true, spec: kernel('post-06', 'no-double-fault-handler', { noReboot: true }) });
    expect(run.result.reason).toBe('triple-fault');
    expect(run.result.status).toBe(0);
    const chain = run.traces.filter((r) => r.kind === 'cpu.exception' || r.kind === 'cpu.double_fault' || r.kind === 'cpu.triple_fault').map((r) => (r.kind === 'cpu.exception' ? r.vector : r.kind));
    expect(chain).toEqual([14, 11, 'cpu.double_fault', 11, 'cpu.triple_fault']);
  });

  it('stack-overflow-without-ist: the double fault has no good stack either: triple fault, the machine resets', async () => {
    const run = await runMachine(configPath('posts/post-06.yaml'), { trace: true, spec: kernel('post-06', 'stack-overflow-without-ist'), stopAt: 0.002 * SECOND, stopReason: 'for' });
    const resets = of(run.traces, 'machine.reset');
    expect(resets.length).toBeGreaterThanOrEqual(1);
    expect(of(run.traces, 'cpu.triple_fault')[0]).toMatchObject({ last: 14, action: 'reset' });
    // The firmware and kernel start again after each reset.
    expect(of(run.traces, 'cpu.int', (r) => r.vector === 8)).toHaveLength(0);
  });
});
