// Test harness for the VGA core: the module's default ports as a guest sees them, text-RAM
// pokes, and the frames the core emitted.
import type { AccessSize } from '../../bus/device.js';
import { vga } from '../../devices/vga/module.js';
import type { Frame } from '../../devices/vga/frame.js';
import { FakeContext } from '../support/fake-context.js';

export const TEXT = 0xb8000;
export const LINE_NS = (100 * 9 * 1e9) / 28_322_000; // mode 3: 100 character clocks of 9 dots at 28.322 MHz

export function machine() {
  const ctx = new FakeContext('vga');
  const core = vga.create(ctx, {});
  const at = (port: number) => {
    const r = vga.regions.findIndex((g) => port >= g.base && port < g.base + g.size);
    if (r < 0) throw new Error(`no VGA region at ${port.toString(16)}`);
    return [r, port - vga.regions[r].base] as const;
  };
  const out = (port: number, value: number, size: AccessSize = 1) => {
    const [r, o] = at(port);
    core.write(r, o, size, value);
  };
  const inp = (port: number, size: AccessSize = 1) => {
    const [r, o] = at(port);
    return core.read(r, o, size);
  };
  const crtc = (index: number, value?: number) => {
    out(0x3d4, index);
    if (value !== undefined) out(0x3d5, value);
    return inp(0x3d5);
  };
  const poke = (row: number, col: number, ch: number, attr: number) => {
    ctx.memory.write8(TEXT + 2 * (row * 80 + col), ch);
    ctx.memory.write8(TEXT + 2 * (row * 80 + col) + 1, attr);
  };
  const frames = () => ctx.events.filter((e) => e.channel === 'frame').map((e) => e.payload as Frame);
  const lastFrame = () => frames().at(-1)!;
  /** Scan now (as the actor does at a deadline) and return the frames emitted by that scan. */
  const scanAt = (t: number) => {
    const before = frames().length;
    ctx.t = t;
    core.advance!();
    return frames().slice(before);
  };
  return { ctx, core, out, inp, crtc, poke, frames, lastFrame, scanAt };
}

/** Triplets [index, char, attr] of a frame as an array of tuples. */
export const triplets = (f: Frame) => Array.from({ length: f.cells.length / 3 }, (_, k) => f.cells.slice(3 * k, 3 * k + 3));
