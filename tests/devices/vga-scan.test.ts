// The VGA core's scanner schedule, robustness and state: when frames are published, what odd port
// traffic does, snapshot/restore.
import { describe, it, expect } from 'vitest';
import { vga } from '../../devices/vga/module.js';
import { vgaOptions } from '../../devices/vga/options.js';
import { SCAN_PERIOD_NS, screenOf, type VgaState } from '../../devices/vga/core.js';
import { machine, triplets } from './vga-harness.js';

describe('scanning schedule', () => {
  it('scans at most 60 times per machine second however often advance() is called', () => {
    const m = machine();
    let n = 0;
    for (let t = 0; t <= 1e9; t += 1_000_000) {
      n++;
      m.poke(0, 0, n & 0xff, n >> 8); // something changes every millisecond
      m.scanAt(t);
    }
    expect(m.frames().length).toBe(60);
  });

  it('nextDeadline() is the next 1/60 s grid point; advance() before it does nothing', () => {
    const m = machine();
    expect(m.core.nextDeadline!()).toBe(0);
    m.scanAt(5);
    expect(m.core.nextDeadline!()).toBe(SCAN_PERIOD_NS);
    m.poke(0, 0, 0x41, 0x07);
    expect(m.scanAt(SCAN_PERIOD_NS - 1)).toEqual([]);
    expect(m.scanAt(SCAN_PERIOD_NS)).toHaveLength(1);
  });

  it('flush() scans immediately, off the schedule', () => {
    const m = machine();
    m.scanAt(0);
    m.poke(0, 0, 0x41, 0x07);
    m.ctx.t = 1000;
    m.core.flush!();
    expect(m.lastFrame().cells).toEqual([0, 0x41, 0x07]);
    expect(m.lastFrame().t).toBe(1000);
  });
});

describe('robustness', () => {
  it('never throws on any port traffic, logging what it does not accept', () => {
    const m = machine();
    for (let r = 0; r < vga.regions.length + 1; r++) {
      for (let o = 0; o < 4; o++) {
        for (const size of [1, 2, 4] as const) {
          for (const v of [0, 0x01, 0x20, 0x7f, 0xff, 0xffff, 0xffffffff]) {
            expect(() => m.core.write(r, o, size, v)).not.toThrow();
            expect(() => m.core.read(r, o, size)).not.toThrow();
          }
        }
      }
    }
    expect(() => m.core.flush!()).not.toThrow();
    expect(m.ctx.tracesOf('guest_error').length).toBeGreaterThan(0);
    expect(m.ctx.tracesOf('unimplemented').length).toBeGreaterThan(0);
  });

  it('a write to 0x3C1 is a guest error and changes nothing', () => {
    const m = machine();
    m.inp(0x3da);
    m.out(0x3c0, 0x30);
    m.out(0x3c1, 0x00);
    expect(m.inp(0x3c1)).toBe(0x0c);
    expect(m.ctx.tracesOf('guest_error')).toHaveLength(1);
  });

  it('graphics mode is reported unimplemented', () => {
    const m = machine();
    m.out(0x3ce, 0x06);
    m.out(0x3cf, 0x05);
    expect(m.ctx.tracesOf('unimplemented')[0].fields.message).toMatch(/graphics/);
  });
});

describe('snapshot / restore', () => {
  it('snapshot has version 1 and the current screen; restore brings registers back', () => {
    const m = machine();
    m.poke(0, 0, 0x48, 0x0e);
    m.crtc(0x0f, 7);
    m.scanAt(0);
    const state = JSON.parse(JSON.stringify(m.core.snapshot())) as VgaState;
    expect(state.version).toBe(1);
    expect(state.screen.full).toBe(true);
    expect(state.screen.cells.slice(0, 3)).toEqual([0, 0x48, 0x0e]);
    expect(state.screen.cursor).toMatchObject({ row: 0, col: 7 });

    const n = machine();
    n.ctx.memory.bytes.set(m.ctx.memory.bytes);
    n.core.restore(state);
    expect(n.crtc(0x0f)).toBe(7);
    expect(n.core.nextDeadline!()).toBe(SCAN_PERIOD_NS);
    n.core.flush!();
    expect(n.lastFrame().full).toBe(true); // a restored core republishes everything
    expect(() => n.core.restore({ version: 2 })).toThrow(/version/);
  });

  it('screenOf() returns the current page as a full frame without emitting', () => {
    const m = machine();
    m.poke(3, 4, 0x01, 0x0e);
    const f = screenOf(m.core)!;
    expect(triplets(f)[3 * 80 + 4]).toEqual([244, 0x01, 0x0e]);
    expect(m.frames()).toHaveLength(0);
  });
});

describe('module', () => {
  it('declares the colour-VGA ports, no pins, both adapters and an empty strict options object', () => {
    expect(vga.kind).toBe('vga');
    expect(vga.regions.map((r) => [r.name, r.base, r.size])).toEqual([
      ['attr', 0x3c0, 2], ['misc', 0x3c2, 1], ['seq', 0x3c4, 2], ['dac', 0x3c7, 3],
      ['miscr', 0x3cc, 1], ['gfx', 0x3ce, 2], ['crtc', 0x3d4, 2], ['status', 0x3da, 1],
    ]);
    expect(vga.regions.find((r) => r.name === 'crtc')!.widths).toEqual([1, 2]);
    expect(vga.inputs ?? []).toEqual([]);
    expect(vga.outputs ?? []).toEqual([]);
    expect(vga.adapters).toEqual(['terminal', 'headless']);
    expect(vgaOptions.parse({})).toEqual({});
    expect(() => vgaOptions.parse({ cols: 40 })).toThrow();
  });
});
