// The public API (api/, `import { Machine } from 'actorpc'`) on real machines in virtual time.
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Machine, ofKind, UntilError } from '../../api/index.js';

describe('Machine (the public API)', () => {
  it('streams one wire, one device\'s ports and the exceptions; tracing is off while nobody subscribes', async () => {
    const m = await Machine.start('post-05', { time: 'virtual', for: '200ms' });
    expect(m.core.control.tracing).toBe(false);
    const edges = firstValueFrom(m.irq$('pic1.ir0').pipe(take(1), toArray()));
    const pitPorts = firstValueFrom(m.io$('pit').pipe(take(2), toArray()));
    const exceptions = firstValueFrom(m.exceptions$.pipe(take(1)));
    expect(m.core.control.tracing).toBe(true);
    const [e, p, x] = await Promise.all([edges, pitPorts, exceptions]);
    expect(e.map((r) => [r.kind, r.line, r.state, r.t])).toEqual([['irq.level', 'pic1.ir0', 1, 0]]); // the PIT's OUT0 at power-on
    expect(p.every((r) => r.device === 'pit' && (r.kind === 'io.write' || r.kind === 'io.read'))).toBe(true);
    expect(x).toMatchObject({ kind: 'cpu.exception', vector: 3 }); // post 05's int3
    // Every subscription ended with take(): the machine stops producing records.
    expect(m.core.control.tracing).toBe(false);
    const screen = await m.until('It did not crash!');
    expect(screen.text).toContain('EXCEPTION: BREAKPOINT');
    const r = await m.stop();
    expect(r.reason).not.toBe('crash');
  });

  it('types at the instant the kernel is ready and waits for the echo; until() gives up after its machine time', async () => {
    const m = await Machine.start('post-12', { time: 'virtual', for: '30s' });
    const readyAt = await m.ready;
    m.type('hello 42');
    const s = await m.until('hello 42', '10s');
    expect(s.t).toBeGreaterThan(readyAt);
    const t = await m.runFor('100ms');
    expect(t).toBeGreaterThanOrEqual(s.t + 100e6);
    // runFor holds the CPU at the instant it reached: a second one starts from exactly there.
    expect(await m.runFor('50ms')).toBe(t + 50e6);
    const missing = await m.until('never shown', '200ms').catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(UntilError);
    expect((missing as UntilError).reason).toBe('timeout');
    await m.stop();
  });

  it('stop() ends a machine that runFor holds', async () => {
    const m = await Machine.start('post-07', { time: 'virtual', for: '30s' });
    const t = await m.runFor('200ms');
    expect(t).toBeGreaterThanOrEqual(200e6);
    const r = await m.stop();
    expect(r).toMatchObject({ reason: 'stop', status: 0 });
    expect(r.cpu!.now).toBe(t); // held there until the stop: no machine time passed
  });

  it('bad durations and unknown machines are errors that say what to write', async () => {
    await expect(Machine.start('post-07', { for: '5 parsecs' })).rejects.toThrow(/for: .*duration/);
    await expect(Machine.start('post-07', { set: { 'time.mode': 'sometimes' } })).rejects.toThrow(/time\.mode/);
  });
});

describe('Machine with guest threads (cpu.threads)', () => {
  it('runs and streams its context switches; runFor says it needs the monitor, which such a machine has not', async () => {
    const m = await Machine.start('config/bench/switch.yaml', { time: 'virtual', for: '5s' });
    const switches = firstValueFrom(m.records$('cpu.switch').pipe(ofKind('cpu.switch'), take(4), toArray()));
    await expect(m.runFor('1ms')).rejects.toThrow(/runFor needs the monitor, which does not yet support machines with guest threads \(cpu\.threads: 1/);
    expect((await switches).map((r) => [r.from, r.to])).toEqual([[0, 1], [1, 0], [0, 1], [1, 0]]);
    expect((await m.result).status).toBe(33);
  });
});
