// The cost model of virtual time (docs/time.md): each instruction class charges its time.costs,
// so a calibration loop of PIT reads sees the counter fall by what the reads cost, handler time
// is the sum of what the handler did, and the same program gives the same trace every run.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_COSTS, RealtimeClock, type TimeCosts } from '../../bus/clock.js';
import { PIT_HZ } from '../../devices/i8254/clock.js';
import { cli, hlt, inb, interruptHandler, load32, outb, readRflags, sti, store32 } from '../../cpu/isa.js';
import { cpuRig, DATA } from '../support/cpu-rig.js';

/** Latch channel 0 and read its count (LSB, MSB): Linux's quick_pit_calibrate reads it so. */
function readCount(): number {
  outb(0x43, 0x00);
  const lo = inb(0x40);
  return lo | (inb(0x40) << 8);
}

function pitRig(costs?: Partial<TimeCosts>) {
  const rig = cpuRig({ costs, devices: [{ name: 'pit', module: 'i8254' }, { name: 'pic1', module: 'i8259' }], wires: ['pit.out0 -> pic1.ir0', 'pic1.int -> cpu.intr'] });
  outb(0x43, 0x34); // channel 0, LSB/MSB, mode 2, count 65536
  outb(0x40, 0);
  outb(0x40, 0);
  return rig;
}

describe('virtual time charges per instruction class', () => {
  it.each([
    ['defaults (an ISA port access ≈ 1 µs)', undefined],
    ['io: 2us', { io: 2000 }],
  ] as const)('PIT latch-and-read loop, %s: the count falls by one iteration\'s cost per iteration', (_name, costs) => {
    const rig = pitRig(costs);
    const io = rig.cpu.clock.costs.io;
    const first = readCount();
    const loops = 1000;
    let last = first;
    for (let i = 0; i < loops; i++) last = readCount();
    const perIteration = ((first - last + 0x10000) % 0x10000) / loops; // the count wraps at 65536 (it reads 0 when loaded)
    // Three port accesses an iteration (latch, LSB, MSB), at PIT_HZ clocks per second.
    const expected = (3 * io * PIT_HZ) / 1e9;
    expect(perIteration).toBeGreaterThan(expected * 0.99);
    expect(perIteration).toBeLessThan(expected * 1.01);
    expect(io).toBe(costs?.io ?? DEFAULT_TIME_COSTS.io);
  });

  it('each class charges its own cost: instruction, memory, io, and an interrupt\'s INTA + delivery + iretq', () => {
    const costs = { instruction: 7, memory: 11, io: 1300, inta: 1700, delivery: 190, iret: 230 };
    const rig = cpuRig({ pic: true, costs });
    rig.handle(0x20, () => {});
    let t = rig.cpu.now();
    const step = (what: () => void, ns: number) => {
      what();
      expect(rig.cpu.now() - t).toBe(ns);
      t = rig.cpu.now();
    };
    step(() => readRflags(), 7);
    step(() => store32(DATA, 1), 11);
    step(() => load32(DATA), 11);
    step(() => outb(0x80, 0), 1300);
    step(() => cli(), 7);
    step(() => { sti(); rig.raise(0x20); readRflags(); }, 7 + 7 + 1700 + 190 + 230);
  });

  it('realtime ignores the costs: the host clock is the machine\'s time', () => {
    const clock = new RealtimeClock();
    expect(Object.values(clock.costs).every((ns) => ns === 0)).toBe(true);
    const before = clock.now();
    clock.charge(1e9);
    expect(clock.now() - before).toBeLessThan(1e9);
  });
});

const TIMER = interruptHandler('test::costs_timer_handler', () => {
  outb(0x80, 0); // some work on the ISA bus
  outb(0x20, 0x20); // EOI
});

/** PIT → PIC → CPU, a timer handler, a hlt loop: the trace of 30 ms of machine time as NDJSON. */
function run(): string {
  const rig = pitRig();
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xfe]]) outb(port, v);
  outb(0x43, 0x34); // 1 kHz: count 1193
  outb(0x40, 1193 & 0xff);
  outb(0x40, 1193 >> 8);
  rig.gate(0x20, TIMER.addr);
  rig.traced();
  sti();
  while (rig.cpu.now() < 30e6) hlt();
  return rig.traces().map((r) => JSON.stringify(r)).join('\n');
}

describe('determinism', () => {
  it('the same program twice gives byte-identical traces, with plausible handler times', () => {
    const a = run();
    const b = run();
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toBe(a);
    const irets = a.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.kind === 'cpu.iret');
    expect(irets.length).toBeGreaterThanOrEqual(29);
    const c = DEFAULT_TIME_COSTS;
    for (const r of irets) expect(r.duration).toBe(2 * c.io + c.iret); // two port writes and iretq: 2.1 µs
  });
});
