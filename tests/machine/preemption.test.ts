// kernel.main: preemption booted as a whole machine in virtual time (issue 14 item 4): the kernel
// on the APICs (8259s masked, keyboard through the I/O APIC, the local APIC timer calibrated
// against the PIT), a round-robin scheduler preempting on the timer, three threads printing their
// letters in their colours, the async keyboard echo beside them, and the scenarios.
import { describe, expect, it } from 'vitest';
import type { QueuedInput } from '../../bus/input-ring.js';
import type { TraceRecord } from '../../bus/trace.js';
import type { ScreenModel } from '../../devices/vga/screen.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { typeText } from '../../machine/input/keymap.js';
import { THREAD_STACKS_START } from '../../kernel/thread/stack.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const SECOND = 1e9;
const MS = 1e6;
const LETTER_ATTR: Record<string, number> = { A: 0x0c, B: 0x0a, C: 0x0b }; // light red, green, cyan on black
const YELLOW = 0x0e;
/** The kernel image's statics (kernel/statics.ts), where TSS.RSP0's stack is. */
const KERNEL_DATA = { start: 0x300000, end: 0x400000 };

interface Boot {
  scenario?: string;
  seconds: number;
  trace?: boolean;
  keys?: ReturnType<typeof keysAt>;
  /** Key events at absolute machine times, by device (no --type gate). */
  input?: Record<string, QueuedInput[]>;
  spec?: (s: MachineSpec) => MachineSpec;
}

/** Key events typing `text`, the first `start` ns after the kernel is ready, `gap` ns apart. */
function keysAt(text: string, start: number, gap = 20 * MS) {
  return typeText(text, start, gap).events.map((e) => ({ key: e.key, down: e.down, delay: e.delay }));
}

async function boot(o: Boot) {
  const spec = (s: MachineSpec): MachineSpec => {
    const v = virtual(s);
    const k = { ...v, kernel: { ...v.kernel, main: 'preemption', ...(o.scenario ? { scenario: o.scenario } : {}) } };
    return o.spec ? o.spec(k) : k;
  };
  const run = await runMachine(configPath('preemption.yaml'), { trace: o.trace ?? false, spec, stopAt: o.seconds * SECOND, stopReason: 'for', ...(o.keys ? { keys: o.keys } : {}), ...(o.input ? { input: o.input } : {}) });
  const lines = run.screen.text().split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return {
    ...run,
    lines,
    cells: printed(run.screen),
    of: (kind: string, pred: (r: TraceRecord) => boolean = () => true) => run.traces.filter((r) => r.kind === kind && pred(r)),
  };
}

/** Every cell below the header lines, in reading order, with its attribute (the letters and the echo). */
function printed(screen: ScreenModel): Array<{ ch: string; attr: number }> {
  const out: Array<{ ch: string; attr: number }> = [];
  let header = -1;
  const HEADER_ENDS = ['round robin every', '+ a thread that never yields', 'the timer handler forgets', 'each thread ends after', '+ a user program spinning'];
  for (let r = 0; r < 25; r++) if (HEADER_ENDS.some((h) => screen.rowText(r).startsWith(h))) header = r;
  for (let r = header + 1; r < 25; r++) {
    for (let c = 0; c < 80; c++) {
      const ch = String.fromCharCode(screen.charAt(r, c));
      if (ch !== ' ' && ch !== '\0') out.push({ ch, attr: screen.attrAt(r, c) });
    }
  }
  return out;
}

const letterText = (cells: Array<{ ch: string }>) => cells.map((c) => c.ch).filter((c) => 'ABC'.includes(c)).join('');

describe('kernel.main: preemption', () => {
  it('says how it set up the APICs and what the PIT calibration found, then threads A, B and C interleave in their colours', async () => {
    const run = await boot({ seconds: 2, trace: true });
    expect(run.lines.slice(0, 5)).toEqual([
      'Preemptive multitasking on the APIC timer',
      '8259 PICs: remapped to 0x20/0x28, all masked. Local APIC 0: on, spurious 0xff',
      'I/O APIC, 24 pins: IRQ1 (keyboard) -> vector 0x21, edge, to APIC 0',
      expect.stringMatching(/^APIC timer: 62[45]\d{3} ticks per 10ms \(bus \/ 16 = 62\.50 MHz, measured on the PIT\)$/),
      'round robin every 10ms: threads A, B, C print, sleep 30ms; type to echo',
    ]);
    const letters = letterText(run.cells);
    // Each thread prints every third tick (30 ms at 10 ms a tick): ≈ 66 rounds in 2 s, always A, B, C.
    expect(letters).toMatch(/^(ABC)+$/);
    expect(letters.length).toBeGreaterThanOrEqual(3 * 60);
    for (const c of run.cells) expect(c.attr).toBe(LETTER_ATTR[c.ch]);
    expect(run.of('cpu.exception')).toEqual([]);
  });

  it('the local APIC timer interrupts every 10 ms on vector 0x20, and each tick is ended with a local APIC EOI, none with a PIC EOI', async () => {
    const run = await boot({ seconds: 2, trace: true });
    const ticks = run.of('cpu.int', (r) => r.vector === 0x20);
    expect(ticks.length).toBeGreaterThanOrEqual(195);
    expect(ticks.length).toBeLessThanOrEqual(200);
    const gaps = ticks.slice(1).map((r, i) => (r.t as number) - (ticks[i].t as number)).sort((a, b) => a - b);
    const median = gaps[gaps.length >> 1];
    expect(Math.abs(median - 10 * MS)).toBeLessThan(0.01 * MS); // the calibrated period, within 0.1 %
    expect(ticks.every((r) => r.handler === 'actorpc_kernel::apic::timer_interrupt_handler')).toBe(true);
    // After each tick: the EOI, before the handler switches threads (else the next thread would
    // run with 0x20 in service, no further tick coming).
    const order = run.traces.filter((r) => (r.kind === 'cpu.int' && r.vector === 0x20) || r.kind === 'lapic.eoi' || r.kind === 'cpu.switch').map((r) => r.kind);
    const afterTick = order.flatMap((k, i) => (k === 'cpu.int' && i + 1 < order.length ? [order[i + 1]] : []));
    expect(new Set(afterTick)).toEqual(new Set(['lapic.eoi']));
    expect(run.of('lapic.eoi', (r) => r.vector === 0x20).length).toBeGreaterThanOrEqual(ticks.length - 1);
    expect(run.of('pic.eoi')).toEqual([]);
  });

  it('kernel.timeslice sets the rate: 2ms gives a tick every 2 ms and says so', async () => {
    const run = await boot({ seconds: 0.2, trace: true, spec: (s) => ({ ...s, kernel: { ...s.kernel, timesliceNs: 2 * MS } }) });
    expect(run.lines).toContain('round robin every 2ms: threads A, B, C print, sleep 30ms; type to echo');
    const ticks = run.of('cpu.int', (r) => r.vector === 0x20);
    const gaps = ticks.slice(1).map((r, i) => (r.t as number) - (ticks[i].t as number)).sort((a, b) => a - b);
    expect(Math.abs(gaps[gaps.length >> 1] - 2 * MS)).toBeLessThan(0.002 * MS);
    expect(ticks.length).toBeGreaterThanOrEqual(90);
  });

  it('masks both 8259s after remapping them (OCW1 0xFF to 0x21 and 0xA1) and routes IRQ1 through the I/O APIC to vector 0x21', async () => {
    const run = await boot({ seconds: 0.1, trace: true });
    const writes = run.of('io.write', (r) => [0x20, 0x21, 0xa0, 0xa1].includes(r.port as number)).map((r) => [r.port, r.value]);
    const icw2 = writes.findIndex(([p, v]) => p === 0x21 && v === 0x20);
    expect(icw2).toBeGreaterThan(0); // remapped to 0x20 …
    expect(writes.slice(icw2)).toContainEqual([0xa1, 0x28]);
    expect(writes.slice(-2)).toEqual([[0x21, 0xff], [0xa1, 0xff]]); // … then masked: the last thing written to them
    // IOREGSEL 0x13 / IOWIN: destination APIC 0; IOREGSEL 0x12 / IOWIN: vector 0x21, edge, high, unmasked.
    const ioapic = run.of('mmio.write', (r) => (r.addr as number) >= 0xfec00000 && (r.addr as number) < 0xfec00020).map((r) => [(r.addr as number) - 0xfec00000, r.value]);
    const at = ioapic.findIndex(([reg, v], i) => reg === 0 && v === 0x13 && ioapic[i + 2]?.[1] === 0x12);
    expect(ioapic.slice(at, at + 4)).toEqual([[0, 0x13], [0x10, 0], [0, 0x12], [0x10, 0x21]]);
    // The local APIC: SVR 0x1FF, and the timer periodic on 0x20.
    const lapic = run.of('mmio.write', (r) => (r.addr as number) >= 0xfee00000).map((r) => [r.reg, r.value]);
    expect(lapic).toContainEqual(['SVR', 0x1ff]);
    expect(lapic).toContainEqual(['LVT_TIMER', 0x20020]);
  });

  it('each thread runs on a host thread of its own: the CPU switches between four of them', async () => {
    const run = await boot({ seconds: 0.5, trace: true });
    const switches = run.of('cpu.switch');
    const hosts = new Set(switches.flatMap((r) => [r.from, r.to]));
    expect(hosts.size).toBe(4);
    expect(hosts.has(0)).toBe(true); // the boot thread, kernel_main
    // The first switch is the boot thread's idle handing the CPU to A before any tick: an idle
    // thread runs only when no other can.
    const firstTick = run.of('cpu.int', (r) => r.vector === 0x20)[0];
    expect([switches[0].from, switches[0].to]).toEqual([0, 1]);
    expect(switches[0].t as number).toBeLessThan(firstTick.t as number);
    // Later ones are preemptions: made inside a tick's handler (after its EOI, before its iretq).
    const order = run.traces.filter((r) => r.kind === 'lapic.eoi' || r.kind === 'cpu.switch' || (r.kind === 'cpu.iret' && r.vector === 0x20)).map((r) => r.kind);
    const inTick = order.filter((k, i) => k === 'cpu.switch' && order[i - 1] === 'lapic.eoi').length;
    expect(inTick).toBeGreaterThan(10);
  });

  it('typed keys are echoed while the threads run: the echo lands between letters, in the Writer\'s yellow', async () => {
    const run = await boot({ seconds: 1.5, keys: keysAt('hello', 0.5 * SECOND) });
    const text = run.cells.map((c) => c.ch).join('');
    expect(text.replace(/[ABC]/g, '')).toBe('hello');
    const h = text.indexOf('h');
    const o = text.indexOf('o');
    expect(letterText(run.cells.slice(0, h)).length).toBeGreaterThan(30); // ≈ 0.5 s of letters before …
    expect(letterText(run.cells.slice(h, o)).length).toBeGreaterThan(0); // … between (keys 20 ms apart) …
    expect(letterText(run.cells.slice(o)).length).toBeGreaterThan(30); // … and after
    for (const c of run.cells) if (!'ABC'.includes(c.ch)) expect(c.attr).toBe(YELLOW);
  });

  it('spinner: a thread that never yields still lets A, B and C run — the timer takes the CPU from it — and keys are still echoed', async () => {
    // Typed at absolute machine times: with a thread that is always runnable the boot thread never
    // idles in hlt, so the --type gate (the first hlt with IF=1) would never open.
    const ok = keysAt('ok', 0.5 * SECOND, 5 * MS).map((k) => ({ key: k.key, down: k.down, at: k.delay }));
    const run = await boot({ scenario: 'spinner', seconds: 1, trace: true, input: { kbd: ok } });
    expect(run.lines).toContain('+ a thread that never yields: the spinner, top right');
    expect(run.cells.map((c) => c.ch).join('').replace(/[ABC]/g, '')).toBe('ok');
    // Key interrupts that came while a thread ran were handled on that thread's stack (and host
    // thread): the ISR, the scancode queue and the waker work from any of them.
    const onThreadStacks = run.of('cpu.int', (r) => r.vector === 0x21 && (r.rsp as number) >= THREAD_STACKS_START);
    expect(onThreadStacks.length).toBeGreaterThan(0);
    const letters = letterText(run.cells);
    expect(letters).toMatch(/^(ABC)+$/);
    expect(letters.length).toBeGreaterThanOrEqual(3 * 20);
    // The spinner's corner: its frame count (a frame ≈ 1 ms of busy delays) and glyph, white on blue.
    const corner = run.screen.rowText(0).slice(72);
    expect(corner).toMatch(/^ *\d+ [|/\-\\]$/);
    expect(Number(corner.trim().split(' ')[0])).toBeGreaterThan(300); // it ran about half the time
    expect(run.screen.attrAt(0, 79)).toBe(0x1f);
  });

  it('busy: threads that never sleep are sliced by the timer — a run of about five letters (2 ms each) per 10 ms slice, A, B, C in turn', async () => {
    const run = await boot({ scenario: 'busy', seconds: 0.5, trace: true });
    expect(run.lines).toContain('round robin every 10ms: threads A, B, C work 2ms per letter; type to echo');
    const runs = letterText(run.cells).match(/A+|B+|C+/g)!;
    expect(runs.length).toBeGreaterThan(40);
    // In turn: A's run, B's, C's, A's … (the boot thread's turn is short: it has nothing to do and yields).
    runs.forEach((r, i) => expect(r[0]).toBe('ABC'[i % 3]));
    // A slice holds 5 letters of 2 ms; the first and last runs may be cut short.
    const inner = runs.slice(1, -1).map((r) => r.length);
    expect(Math.min(...inner)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...inner)).toBeLessThanOrEqual(6);
    // Each slice ends with a timer interrupt taken on the running thread's own stack (and host
    // thread), whose handler switches away: preemption, not a yield.
    const preempted = run.traces.filter((r, i) => r.kind === 'cpu.int' && r.vector === 0x20 && (r.rsp as number) >= THREAD_STACKS_START && run.traces.slice(i, i + 40).some((x) => x.kind === 'cpu.switch'));
    expect(preempted.length).toBeGreaterThan(30);
  });

  it('ring3: a user program spinning at CPL 3 is preempted by the timer like any thread — its ticks enter on TSS.RSP0 — and A, B, C keep printing', async () => {
    const run = await boot({ scenario: 'ring3', seconds: 0.5, trace: true });
    expect(run.lines).toContain('+ a user program spinning in ring 3, preempted like the rest');
    const text = run.screen.text().replace(/\n/g, '');
    expect(text).toContain('spinning in ring 3'); // its SYS_WRITE, from the user thread's host thread
    expect(run.of('cpu.syscall', (r) => r.nr === 1)).toHaveLength(1);
    // Follow who holds the CPU: the host thread that made the system call runs the program; after
    // it, that thread is only ever in ring 3 (loop {}), so its ticks are taken there.
    let holder = 0;
    let user = -1;
    const ticks: Array<{ rsp: number; then: string | undefined }> = [];
    run.traces.forEach((r, i) => {
      if (r.kind === 'cpu.switch') holder = r.to as number;
      if (r.kind === 'cpu.syscall') user = holder;
      if (r.kind === 'cpu.int' && r.vector === 0x20 && user > 0 && holder === user) {
        ticks.push({ rsp: r.rsp as number, then: run.traces.slice(i + 1).find((x) => x.kind === 'cpu.switch' || x.kind === 'cpu.iret')?.kind });
      }
    });
    expect(user).toBeGreaterThan(0);
    expect(ticks.length).toBeGreaterThan(5);
    // Each frame went onto TSS.RSP0's stack, a static in the kernel's .bss — not the thread's own
    // kernel stack, where a tick taken at CPL 0 would land — and the handler switched away.
    for (const t of ticks) {
      expect(t.rsp).toBeGreaterThanOrEqual(KERNEL_DATA.start);
      expect(t.rsp).toBeLessThan(KERNEL_DATA.end);
      expect(t.then).toBe('cpu.switch');
    }
    expect(letterText(run.cells).replace('spinninginring3', '').length).toBeGreaterThanOrEqual(3 * 15);
    expect(run.of('cpu.exception')).toEqual([]);
  });

  it('missing-apic-eoi: one tick, one preemptive switch (A to B), then no tick and no keyboard interrupt ever again: B keeps the CPU', async () => {
    // Typed at an absolute time: the boot thread never idles in hlt here (B is always runnable).
    const x = keysAt('x', 0.5 * SECOND).map((k) => ({ key: k.key, down: k.down, at: k.delay }));
    const run = await boot({ scenario: 'missing-apic-eoi', seconds: 1, trace: true, input: { kbd: x } });
    expect(run.lines).toContain('the timer handler forgets the local APIC EOI');
    expect(run.of('cpu.int', (r) => r.vector === 0x20)).toHaveLength(1);
    expect(run.of('lapic.eoi')).toEqual([]);
    // The boot thread, idle, hands the CPU to A; the one tick preempts A for B; and that is all.
    expect(run.of('cpu.switch').map((r) => [r.from, r.to])).toEqual([[0, 1], [1, 2]]);
    // A worked its slice (5 letters of 2 ms), B has worked ever since; C never ran.
    expect(letterText(run.cells)).toMatch(/^A{5}B{100,}$/);
    // The key was pressed, the 8042 raised IRQ1 and the I/O APIC sent 0x21, but with 0x20 in service
    // PPR is 0x20 and 0x21 is in the same class: never delivered, never echoed.
    expect(run.of('kbd.key').length).toBeGreaterThan(0);
    expect(run.of('apic.message', (r) => r.vector === 0x21).length).toBeGreaterThan(0);
    expect(run.of('cpu.int', (r) => r.vector === 0x21)).toEqual([]);
    expect(run.cells.map((c) => c.ch).join('')).not.toContain('x');
    // The timer kept expiring into IRR all along.
    expect(run.of('lapic.timer').length).toBeGreaterThan(90);
  });

  it('exit: threads end and their host threads are reused — at least 18 threads over 2 s on the machine\'s 4 host threads', async () => {
    const run = await boot({ scenario: 'exit', seconds: 2, trace: true });
    const letters = letterText(run.cells);
    expect(letters.length).toBeGreaterThanOrEqual(3 * 60); // no gap: each successor takes over at once
    // Ten letters per thread, in alternating shades: generation 0 light, 1 dark, 2 light …
    const DARK: Record<string, number> = { A: 0x04, B: 0x02, C: 0x03 };
    for (const letter of 'ABC') {
      const attrs = run.cells.filter((c) => c.ch === letter).map((c) => c.attr);
      expect(attrs.length).toBeGreaterThanOrEqual(60);
      attrs.forEach((a, n) => expect(a).toBe(Math.floor(n / 10) % 2 === 0 ? LETTER_ATTR[letter] : DARK[letter]));
    }
    // Three letter threads at a time plus the successor being spawned: never more than the four
    // host threads (and the boot thread's), so each dead thread's host thread was given back.
    const hosts = new Set(run.of('cpu.switch').flatMap((r) => [r.from, r.to]));
    expect(hosts.size).toBe(5);
    expect(run.of('cpu.exception')).toEqual([]);
  });

  it('exit with one host thread too few: a successor cannot be spawned while its parent still holds its host thread — a panic on that thread stops the machine', async () => {
    const run = await boot({ scenario: 'exit', seconds: 2, trace: true, spec: (s) => ({ ...s, cpu: { threads: 3 } }) });
    const text = run.screen.text().replace(/\n/g, '');
    expect(text).toContain('ABC'.repeat(10) + 'panicked at src/thread/scheduler.rs');
    expect(text).toContain('spawn: no host thread is free for a new guest thread');
    expect(letterText(run.cells.slice(0, 30))).toBe('ABC'.repeat(10)); // and nothing ran after the panic
    // The panic handler turned interrupts off before its hlt: the CPU is idle for good, the last
    // thing the machine does (no tick switches to another thread to carry on past the panic).
    const idle = run.traces.findIndex((r) => r.kind === 'cpu.idle');
    expect(run.traces[idle]).toMatchObject({ if: 0 });
    expect((run.traces[idle].t as number) / SECOND).toBeLessThan(0.5);
    expect(run.traces.slice(idle).filter((r) => r.kind.startsWith('cpu.') && r.kind !== 'cpu.idle')).toEqual([]);
  });

  it('a machine without guest-thread workers panics at the first spawn, telling to raise cpu.threads', async () => {
    const run = await boot({ seconds: 0.2, spec: (s) => ({ ...s, cpu: { threads: 0 } }) });
    expect(run.screen.text().replace(/\n/g, '')).toContain('raise cpu.threads in the machine YAML');
  });

  it('two virtual-time runs give the same trace and the same screen', async () => {
    const a = await boot({ seconds: 0.3, trace: true, keys: keysAt('ab', 0.1 * SECOND) });
    const b = await boot({ seconds: 0.3, trace: true, keys: keysAt('ab', 0.1 * SECOND) });
    expect(a.traces.length).toBeGreaterThan(1000);
    expect(JSON.stringify(b.traces)).toBe(JSON.stringify(a.traces));
    expect(b.screen.text()).toBe(a.screen.text());
  });
});
